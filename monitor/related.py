"""Reading stories back: the other events of an event's story, a whole story, and who was told."""

from __future__ import annotations

import sqlite3
from typing import Any

from .errors import StateError
from .events import Event
from .state import State, row_to_event
from .stories import related_entry


def _rows(state: State, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    try:
        cursor = state.conn.execute(sql, params)
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{state.path}: cannot read the state database: {exc}") from None
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _story(state: State, story: str) -> list[tuple[Event, str | None]]:
    rows = _rows(state, "select e.*, s.kind from events e left join sources s on s.name = e.source"
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


def already_told(state: State, channel: str, event: Event) -> bool:
    """Whether `channel` already has a delivery of another event of `event`'s story."""
    if not event.story:
        return False
    return bool(_rows(state, "select 1 from deliveries d join events e on e.id = d.event_id where d.channel = ?"
                             " and e.story = ? and e.id != ? limit 1", [channel, event.story, event.id]))
