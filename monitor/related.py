"""Reading stories back: the other events of an event's story, and a whole story."""

from __future__ import annotations

from .events import Event
from .state import State, row_to_event
from .stories import related_entry


def _story(state: State, story: str) -> list[tuple[Event, str | None]]:
    rows = state.rows("select e.*, s.kind from events e left join sources s on s.name = e.source"
                      " where e.story = ? order by e.detected_at, e.rowid", [story])
    return [(row_to_event(row), row["kind"]) for row in rows]


def story_events(state: State, story: str) -> list[Event]:
    """Every event of a story, oldest first, each listing the others in `related`."""
    events = _story(state, story)
    for event, _ in events:
        event.related = [related_entry(other, kind) for other, kind in events if other.id != event.id]
    return [event for event, _ in events]


def with_related(state: State, events: list[Event]) -> list[Event]:
    """Fill `related` of each event with the other events of its story, oldest first."""
    for event in events:
        if event.story:
            event.related = [related_entry(other, kind) for other, kind in _story(state, event.story)
                             if other.id != event.id]
    return events

