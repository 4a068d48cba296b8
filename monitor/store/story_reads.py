"""Reading stories back: the other events of an event's story (at most `RELATED_LIMIT`), and a whole story."""

from __future__ import annotations

from monitor.events import Event
from monitor.store.event_rows import row_to_event
from monitor.store.state import State
from monitor.treaties import related_entry

RELATED_LIMIT = 20
"""Other events of a story that a message, page or feed lists; `related_total` counts them all."""
NEWS = "coalesce(hold, 'released') = 'released'"
"""Events that are news: held and dropped events are never listed as related (the index
`events_story_news` is on exactly these rows)."""


def _newest(state: State, story: str) -> tuple[list[tuple[Event, dict]], int]:
    """The newest `RELATED_LIMIT` + 1 news events of a story (with their related entries) and
    how many there are, in one query: both parts read the index `events_story_news` (newest
    first, stopping after the limit; the count from the index alone)."""
    rows = state.rows(
        f"select e.*, s.kind, (select count(*) from events where story = ? and {NEWS}) as total"
        " from events e left join sources s on s.name = e.source"
        f" where e.story = ? and {NEWS.replace('hold', 'e.hold')}"
        " order by e.detected_at desc, e.rowid desc limit ?", [story, story, RELATED_LIMIT + 1])
    events = [row_to_event(row) for row in rows]
    return [(event, related_entry(event, row["kind"])) for event, row in zip(events, rows, strict=False)], \
        rows[0]["total"] if rows else 0


def with_related(state: State, events: list[Event], *, listing: bool = False) -> list[Event]:
    """Fill `related` of each event with the newest other news events of its story, and
    `related_total` with their number: one query per story, however many events share it.

    In a `listing` (a page of a feed), a story's other events are listed once, under its first
    event there; its other events on the page keep only `related_total`, so a page stays small
    whatever a story holds."""
    newest: dict[str, tuple[list[tuple[Event, dict]], int]] = {}
    for event in events:
        if event.story:
            listed = event.story in newest
            if not listed:
                newest[event.story] = _newest(state, event.story)
            others, total = newest[event.story]
            event.related = [] if listing and listed else \
                [entry for other, entry in others if other.id != event.id][:RELATED_LIMIT]
            event.related_total = total - (event.hold in (None, "released")) if others else 0
    return events


def story_events(state: State, story: str) -> list[Event]:
    """Every event of a story, oldest first, each listing the newest other news events of it."""
    rows = state.rows("select e.*, s.kind from events e left join sources s on s.name = e.source"
                      " where e.story = ? order by e.detected_at, e.rowid", [story])
    events = [(row_to_event(row), row["kind"]) for row in rows]
    news = [(event, kind) for event, kind in reversed(events) if event.hold in (None, "released")]
    newest = news[:RELATED_LIMIT + 1]
    for event, _ in events:
        is_news = event.hold in (None, "released")
        event.related = [related_entry(other, kind) for other, kind in newest if other.id != event.id][:RELATED_LIMIT]
        event.related_total = len(news) - is_news
    return [event for event, _ in events]
