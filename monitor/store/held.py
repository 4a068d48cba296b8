"""Held events: list, release (queue their deliveries) or drop what a flooded check kept back."""

from __future__ import annotations

from typing import Any

from monitor.events import Event
from monitor.store.event_rows import row_to_event
from monitor.store.flood import HELD
from monitor.store.reads import narrowed
from monitor.store.state import State


def _chosen(ids: list[str] | None, sources: list[str] | None) -> tuple[str, list[Any]]:
    sql, params = narrowed("select * from events where hold = ?", [HELD], id=ids, source=sources)
    return sql + " order by detected_at, rowid", params


def held_events(state: State, ids: list[str] | None = None, sources: list[str] | None = None) -> list[Event]:
    """The events still held (of these ids or sources), oldest first."""
    return [row_to_event(row) for row in state.rows(*_chosen(ids, sources))]


def release(state: State, now: str, ids: list[str] | None = None,
            sources: list[str] | None = None) -> list[Event]:
    """Queue the deliveries of the chosen held events in the state's outbox, due now, as if
    they had just been detected; return them. A delivery id is fixed per event and channel, so no event is
    queued twice, even by two releases at once."""
    def work() -> list[Event]:
        released = []
        for row in state.rows(*_chosen(ids, sources)):
            if state.conn.execute("update events set hold = 'released' where id = ? and hold = ?",
                                  [row["id"], HELD]).rowcount:
                event = row_to_event({**row, "hold": "released"})
                state.outbox.queue(event, now)
                released.append(event)
        return released
    return state.write(work)


def drop(state: State, ids: list[str] | None = None, sources: list[str] | None = None) -> list[Event]:
    """Mark the chosen held events as noise: kept and listed, never sent; return them."""
    def work() -> list[Event]:
        events = [row_to_event({**row, "hold": "dropped"}) for row in state.rows(*_chosen(ids, sources))]
        state.conn.executemany("update events set hold = 'dropped' where id = ? and hold = ?",
                               [[event.id, HELD] for event in events])
        return events
    return state.write(work)
