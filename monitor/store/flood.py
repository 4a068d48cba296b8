"""Event floods: a check with more new events than a source's limit holds them all back."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from monitor.events import OPS_TYPES, Event, ops_event

HELD = "held"


def hold_flood(events: list[Event], known: Callable[[str], bool], limit: int | None, source: str,
               now: str) -> Event | None:
    """Mark the new (not `known`) events of one check held when there are more than `limit`,
    and return the one `events_held` operational event that says so; None when within it.

    Operational events are never held or counted: they are how the flood is reported."""
    if limit is None:
        return None
    candidates = {event.id: event for event in events if event.type not in OPS_TYPES}
    if len(candidates) <= limit:
        return None
    fresh = [event for event_id, event in candidates.items() if not known(event_id)]
    if len(fresh) <= limit:
        return None
    for event in fresh:
        event.hold = HELD
    types = Counter(event.type for event in fresh)
    title = (f"{source}: {len(fresh)} new events in one check, more than max_events_per_check = {limit}; "
             f"all held, none sent (review: legal-monitor held --source {source})")
    return ops_event("events_held", source, now, title, now,
                     {"count": len(fresh), "limit": limit, "types": dict(sorted(types.items()))})
