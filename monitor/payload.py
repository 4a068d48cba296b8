"""The JSON form of an event that receivers get (webhook, /events.json): schema legal-monitor/event@1."""

from __future__ import annotations

from typing import Any

from .events import Event, changes_of
from .render import brief, headline, is_test

SCHEMA = "legal-monitor/event@1"


def payload(event: Event) -> dict[str, Any]:
    """The versioned JSON document of one event; unknown fields are null, never missing.
    Version 1 only ever gains fields (`key`, `changes`, `date_text`, `related_total`, `test`,
    `source_title` and `source_summary` came later).

    `title` and `summary` are the words every channel shows (`render.headline`, `render.brief`);
    `source_title` and `source_summary` are the event's own, as its source gave or built them."""
    data = event.to_dict()
    return {
        "schema": SCHEMA, "test": is_test(event), "id": data["id"], "type": data["type"], "source": data["source"],
        "key": data["key"] or None, "subject": data["subject"], "treaty": data["treaty"], "date": data["date"],
        "date_text": data["date_text"], "effective_date": data["effective_date"], "title": headline(event),
        "summary": brief(event),
        "url": data["url"], "detected_at": data["detected_at"], "details": data["details"],
        "story": data["story"], "related": data["related"], "changes": changes_of(event),
        "related_total": data["related_total"], "source_title": data["title"], "source_summary": data["summary"],
    }
