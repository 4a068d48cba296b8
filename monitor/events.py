"""Events: classified changes, each with an id that is the same for the same real-world action."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, get_args

from monitor.text import FLAG as MIXED_SCRIPTS
from monitor.text import strip_controls, strip_controls_in, unmixed, web_link

# Treaty actions, which alert by default.
TreatyType = Literal["signature", "ratification", "entry_into_force", "denunciation", "suspension",
                     "reservation", "law_published", "notification"]
# Generic record changes, shown but not alerted by default.
RecordType = Literal["record_added", "record_changed", "record_removed"]
# Operational events about the monitor itself, sent to every channel that does not set `ops = false`.
OpsType = Literal["source_failing", "source_recovered", "structure_changed", "delivery_failed", "events_held"]
EventType = Literal[TreatyType, RecordType, OpsType]
TREATY_TYPES: tuple[str, ...] = get_args(TreatyType)
RECORD_TYPES: tuple[str, ...] = get_args(RecordType)
OPS_TYPES: tuple[str, ...] = get_args(OpsType)
EVENT_TYPES: tuple[str, ...] = get_args(EventType)

Hold = Literal["held", "released", "dropped"]
"""What became of an event a flooded check held back."""

LABELS = {
    "signature": "Signature", "ratification": "Ratification", "entry_into_force": "Entry into force",
    "denunciation": "Denunciation", "suspension": "Suspension", "reservation": "Reservation",
    "law_published": "Law published", "notification": "Depositary notification",
    "record_added": "New record", "record_changed": "Changed record",
    "record_removed": "Removed record", "source_failing": "Source failing",
    "source_recovered": "Source recovered", "structure_changed": "Structure changed",
    "delivery_failed": "Delivery failed", "events_held": "Events held",
}
"""Human labels of event types, for messages."""


def event_id(source: str, key: str, action: str, *identity: Any) -> str:
    """Stable id from source, record key, action and what identifies the action (never time)."""
    parts = [source, key, action, *("" if p is None else str(p) for p in identity)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass
class Treaty:
    """The treaty an event is about, when known."""

    id: str | None = None
    title: str | None = None
    url: str | None = None


@dataclass
class Event:
    """One detected change. `id` dedupes it across re-fetches, restarts and receivers."""

    id: str
    type: EventType
    source: str
    key: str
    title: str | None = None
    subject: str | None = None
    summary: str | None = None
    url: str | None = None
    date: str | None = None
    """The action's date as an ISO date (YYYY-MM-DD), or None: never the portal's own writing."""
    effective_date: str | None = None
    treaty: Treaty | None = None
    details: dict[str, Any] = field(default_factory=dict)
    detected_at: str | None = None
    story: str | None = None
    """Shared by the events of one real-world action across sources (see `stories`)."""
    related: list[dict[str, Any]] = field(default_factory=list)
    """The newest other events of the story (at most 20, never held or dropped ones), when
    read back for a message or a listing."""
    related_total: int = 0
    """How many other events of the story `related` would list without its limit."""
    hold: Hold | None = None
    """None for an ordinary event; "held" when a flooded check kept it back from every channel,
    then "released" (its deliveries were queued) or "dropped" (never sent)."""
    date_text: str | None = None
    """The date as the source wrote it (e.g. "16/03/2022"), when it wrote one; kept whether or
    not it could be read into `date`."""

    def __post_init__(self) -> None:
        # Whatever a source kind built, only http(s) links and no control characters get out.
        self.url = web_link(self.url)
        if self.treaty is not None:
            treaty = self.treaty
            self.treaty = replace(treaty, url=web_link(treaty.url),
                                  id=strip_controls(treaty.id) if treaty.id else treaty.id,
                                  title=strip_controls(treaty.title) if treaty.title else treaty.title)
        for name in ("title", "subject", "summary", "date_text"):
            value = getattr(self, name)
            if value:
                setattr(self, name, strip_controls(value))
        self.details = strip_controls_in(self.details)
        if self.subject and not self.subject.isascii():  # a Cyrillic "а" in a Latin name: one state, not two
            self.subject, mixed = unmixed(self.subject)
            if mixed:
                self.details = {**self.details, MIXED_SCRIPTS: mixed}

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain values; the related entries (flat dicts of text) copied one level,
        not field by field as `asdict` would: a page of 50 events lists 1,000 of them."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["treaty"] = asdict(self.treaty) if self.treaty else {"id": None, "title": None, "url": None}
        data["details"] = copy.deepcopy(self.details)
        data["related"] = [dict(entry) for entry in self.related]
        return {f.name: data[f.name] for f in fields(self)}


def make_event(source: str, key: str, event_type: str, identity: tuple[Any, ...] = (), *,
               id_key: str | None = None, **about: Any) -> Event:
    """An event whose id is made of the source, the record key (or `id_key`, when one action is
    filed under several records), the type and what identifies the action: the same real-world
    action always gives the same id."""
    return Event(id=event_id(source, id_key or key, event_type, *identity), type=event_type, source=source,
                 key=key, **about)


def changed_fields(fields: dict[str, tuple[str | None, str | None]]) -> dict[str, dict[str, str | None]]:
    """Changed fields given as name -> (old, new), in the form `details["changed"]` holds them."""
    return {name: {"old": old, "new": new} for name, (old, new) in fields.items()}


def record_changed(source: str, key: str, fields: dict[str, tuple[str | None, str | None]], *,
                   identity: tuple[Any, ...] | None = None, details: dict[str, Any] | None = None,
                   **about: Any) -> Event:
    """The `record_changed` event: fields whose change is no action of its own, each as
    (old, new), listed in `details["changed"]`. Its identity is the sorted (field, old, new)
    triples unless the kind pinned another one."""
    if identity is None:
        identity = (sorted((name, old, new) for name, (old, new) in fields.items()),)
    return make_event(source, key, "record_changed", identity,
                      details={**(details or {}), "changed": changed_fields(fields)}, **about)


def changes_of(event: Event) -> dict[str, dict[str, Any]]:
    """The record fields an event is about, name -> {"old", "new"}; {} when none is known."""
    details = event.details or {}
    if isinstance(details.get("changed"), dict):
        return details["changed"]
    if "field" in details and ("old" in details or "new" in details):
        return {str(details["field"]): {"old": details.get("old"), "new": details.get("new")}}
    return {}


def ops_event(event_type: str, source: str, incident: str, title: str, detected_at: str,
              details: dict[str, Any] | None = None) -> Event:
    """An operational event; one per incident (`incident` identifies it, e.g. its start time)."""
    return Event(id=event_id(source, "", event_type, incident), type=event_type, source=source, key="",
                 title=title, summary=title, detected_at=detected_at, details=details or {})
