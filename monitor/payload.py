"""The JSON form of an event that receivers get (webhook, /events.json): schema legal-monitor/event@1."""

from __future__ import annotations

from typing import Any

from .events import Event, changes_of

SCHEMA = "legal-monitor/event@1"


def payload(event: Event) -> dict[str, Any]:
    """The versioned JSON document of one event; unknown fields are null, never missing.
    Version 1 only ever gains fields (`key`, `changes`, `date_text` and `related_total` came later)."""
    data = event.to_dict()
    return {
        "schema": SCHEMA, "id": data["id"], "type": data["type"], "source": data["source"],
        "key": data["key"] or None, "subject": data["subject"], "treaty": data["treaty"], "date": data["date"],
        "date_text": data["date_text"], "effective_date": data["effective_date"], "title": data["title"],
        "summary": data["summary"],
        "url": data["url"], "detected_at": data["detected_at"], "details": data["details"],
        "story": data["story"], "related": data["related"], "changes": changes_of(event),
        "related_total": data["related_total"],
    }
