"""The JSON form of an event that receivers get (webhook, /events.json): schema legal-monitor/event@1."""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import quote

from monitor.events import Event, changes_of
from monitor.render import brief, headline, is_test

SCHEMA = "legal-monitor/event@1"
SCHEMA_URI = "urn:legal-monitor:schema:event@1"
"""The `$id` of the published JSON Schema (`monitor/schemas/event-1.schema.json`)."""


def payload(event: Event) -> dict[str, Any]:
    """The versioned JSON document of one event; unknown fields are null, never missing.
    Version 1 only ever gains fields (`key`, `changes`, `date_text`, `related_total`, `test`,
    `source_title`, `source_summary` and `schema_uri` came later).

    `title` and `summary` are the words every channel shows (`render.headline`, `render.brief`);
    `source_title` and `source_summary` are the event's own, as its source gave or built them."""
    data = event.to_dict()
    return {
        "schema": SCHEMA, "test": is_test(event), "schema_uri": SCHEMA_URI, "id": data["id"], "type": data["type"],
        "source": data["source"], "key": data["key"] or None, "subject": data["subject"], "treaty": data["treaty"],
        "date": data["date"], "date_text": data["date_text"], "effective_date": data["effective_date"],
        "title": headline(event), "summary": brief(event),
        "url": data["url"], "detected_at": data["detected_at"], "details": data["details"],
        "story": data["story"], "related": data["related"], "changes": changes_of(event),
        "related_total": data["related_total"], "source_title": data["title"], "source_summary": data["summary"],
    }


def urn_text(value: str) -> str:
    """`value` as a part of a URN (RFC 8141): everything but letters, digits and `-._` percent-encoded."""
    return quote(value, safe="").replace("~", "%7E")


def schema_text() -> bytes:
    """The JSON Schema (Draft 2020-12) of `payload`, as shipped in the package."""
    return resources.files(__package__).joinpath("schemas/event-1.schema.json").read_bytes()
