"""Events: classified changes, each with an id that is the same for the same real-world action."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

# Treaty actions, which alert by default.
TREATY_TYPES = ("signature", "ratification", "entry_into_force", "denunciation", "suspension",
                "reservation", "law_published")
# Generic record changes, shown but not alerted by default.
RECORD_TYPES = ("record_added", "record_changed", "record_removed")
EVENT_TYPES = TREATY_TYPES + RECORD_TYPES


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
    type: str
    source: str
    key: str
    title: str | None = None
    subject: str | None = None
    summary: str | None = None
    url: str | None = None
    date: str | None = None
    effective_date: str | None = None
    treaty: Treaty | None = None
    details: dict[str, Any] = field(default_factory=dict)
    detected_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.treaty is None:
            data["treaty"] = {"id": None, "title": None, "url": None}
        return data
