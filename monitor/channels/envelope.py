"""The CloudEvents 1.0 envelope of an event (structured JSON mode), its data the event@1 payload."""

from __future__ import annotations

from typing import Any

from monitor.events import OPS_TYPES, RECORD_TYPES, Event
from monitor.payload import SCHEMA_URI, payload, urn_text

CONTENT_TYPE = "application/cloudevents+json"
TYPE_PREFIX = "org.legalmonitor."


def cloudevent_type(event_type: str) -> str:
    """`org.legalmonitor.treaty.denunciation`, `org.legalmonitor.record.changed`,
    `org.legalmonitor.ops.source_failing`: reverse-DNS, grouped by what the event is about."""
    if event_type in RECORD_TYPES:
        return f"{TYPE_PREFIX}record.{event_type.removeprefix('record_')}"
    group = "ops" if event_type in OPS_TYPES else "treaty"
    return f"{TYPE_PREFIX}{group}.{event_type}"


def cloudevent_source(source: str) -> str:
    """The configured source as a URI: `urn:legal-monitor:source:<name, percent-encoded>`."""
    return "urn:legal-monitor:source:" + urn_text(source)


def cloudevent(event: Event) -> dict[str, Any]:
    """The event as a CloudEvent: `id` is the event id (stable across retries and sources'
    restarts), `subject` the state when known, `time` when it was detected."""
    envelope: dict[str, Any] = {
        "specversion": "1.0", "id": event.id, "source": cloudevent_source(event.source),
        "type": cloudevent_type(event.type), "datacontenttype": "application/json", "dataschema": SCHEMA_URI}
    if event.subject:
        envelope["subject"] = event.subject
    if event.detected_at:
        envelope["time"] = event.detected_at
    envelope["data"] = payload(event)
    return envelope
