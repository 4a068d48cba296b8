"""Read-only queries behind the dashboard and the feeds: filters, pages of events, source health."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence
from urllib.parse import parse_qs, urlencode

from monitor.clock import iso, later, utcnow
from monitor.durations import parse_duration
from monitor.errors import BadRequest
from monitor.events import EVENT_TYPES, TREATY_TYPES, Event, Treaty
from monitor.records import Record
from monitor.store.event_rows import row_to_event

PAGE_SIZE = 50


def parse_since(text: str) -> str:
    """An ISO date or time (UTC unless it says otherwise), or an age such as "7d", as a UTC
    timestamp; BadRequest for anything else, or a moment outside the years 1 to 9999."""
    hint = f"since {text[:40]!r}: give an ISO date (2026-01-31) or an age such as 7d"
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            age = parse_duration(text.strip())
        except ValueError:
            raise BadRequest(hint) from None
        try:
            return later(utcnow(), -age)
        except (OverflowError, ValueError):
            raise BadRequest(f"since {text[:40]!r}: an age reaching back before the year 1") from None
    try:
        return iso(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    except (OverflowError, ValueError):
        raise BadRequest(f"since {text[:40]!r}: a moment outside the years 1 to 9999 in UTC") from None


MAX_CURSOR = 2**63 - 1
"""The largest event number SQLite can hold."""


def parse_cursor(text: str) -> int | None:
    """The `before` cursor: an event number from an "older" link (ASCII digits), or None."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_CURSOR):
        raise BadRequest(f"before {text[:40]!r}: must be an event number from an \"older\" link")
    return int(text)


@dataclass(frozen=True)
class Filters:
    """What a page or feed shows. No `type` means every treaty action (no record or ops events)."""

    type: str = ""
    subject: str = ""
    source: str = ""
    treaty: str = ""
    since: str = ""
    since_at: str | None = field(default=None, compare=False)
    """`since` resolved to a UTC timestamp."""

    def query(self, **more: Any) -> str:
        """The URL query string of these filters (and `more`), empty values left out."""
        values = {k: v for k, v in asdict(self).items() if k != "since_at"}
        return urlencode({k: v for k, v in {**values, **more}.items() if v not in ("", None)})


def parse_filters(query: str) -> tuple[Filters, int | None]:
    """Filters and the page cursor (`before`) from a URL query string; BadRequest if unusable."""
    params = {k: v[-1].strip() for k, v in parse_qs(query, keep_blank_values=True).items()}
    kind = params.get("type", "")
    if kind and kind not in EVENT_TYPES:
        raise BadRequest(f"type {kind[:40]!r} is not an event type (known: {', '.join(EVENT_TYPES)})")
    since = params.get("since", "")
    before = parse_cursor(params.get("before", ""))
    filters = Filters(type=kind, subject=params.get("subject", ""), source=params.get("source", ""),
                      treaty=params.get("treaty", ""), since=since, since_at=parse_since(since) if since else None)
    return filters, before


@dataclass
class Page:
    """Events newest first; `older` is the cursor of the next page when there is one."""

    events: list[Event]
    older: int | None


def find_events(conn: sqlite3.Connection, filters: Filters, limit: int = PAGE_SIZE,
                before: int | None = None) -> Page:
    """One page of events matching `filters`, newest first, after the `before` cursor; events a
    flood holds back (or that were dropped) are left out, as in the feeds.

    Each filter has an index (the dashboard's migration), and paging by (detected_at, rowid) instead of
    OFFSET keeps deep pages as fast as the first one."""
    # Held and dropped events are not news; written so that no index on `hold` is chosen for it.
    where: list[str] = ["coalesce(hold, 'released') = 'released'"]
    params: list[Any] = []
    if filters.type:
        where.append("type = ?")
        params.append(filters.type)
    else:  # unary + keeps this off the type index, so the newest-first index is used
        where.append(f"+type in ({','.join('?' * len(TREATY_TYPES))})")
        params += TREATY_TYPES
    if filters.subject:
        where.append("subject = ? collate nocase")
        params.append(filters.subject)
    if filters.source:  # with a treaty, its key range is the narrower index
        where.append("+source = ?" if filters.treaty else "source = ?")
        params.append(filters.source)
    if filters.treaty:  # treaty sources key their records and events "<treaty id>:…"; a generic
        # source's configured treaty is on all its events, keyed by record
        where.append(f"treaty is not null and (key >= ? and key < ? or source in ({TREATY_SOURCES}))")
        params += [filters.treaty + ":", filters.treaty + ";", *_treaty_params(filters.treaty)]
    if filters.since_at:
        where.append("detected_at >= ?")
        params.append(filters.since_at)
    if before is not None:
        cursor = conn.execute("select detected_at from events where rowid = ?", [before]).fetchone()
        if cursor is None:
            raise BadRequest(f"before {before}: no such event")
        where.append("(detected_at, rowid) < (?, ?)")
        params += [cursor[0], before]
    sql = (f"select rowid as row_number, * from events where {' and '.join(where)}"
           " order by detected_at desc, rowid desc limit ?")
    rows = _rows(conn, sql, [*params, limit + 1])
    older = rows[limit - 1]["row_number"] if len(rows) > limit else None
    return Page([row_to_event(row) for row in rows[:limit]], older)


def moment_ranks(conn: sqlite3.Connection, moments: Sequence[str]) -> dict[str, int]:
    """Each event detected at one of `moments`, by id: its place among the events detected at
    the same moment (one check's events share it), 0 for the first written."""
    distinct = sorted(set(moments))
    if not distinct:
        return {}
    rows = conn.execute(f"select id, detected_at from events where detected_at in ({','.join('?' * len(distinct))})"
                        " order by detected_at, rowid", distinct).fetchall()
    ranks: dict[str, int] = {}
    previous, place = None, 0
    for event_id, moment in rows:
        place = place + 1 if moment == previous else 0
        ranks[event_id], previous = place, moment
    return ranks


TREATY_SOURCES = """select s.name from sources s join events e on e.rowid = (
    select rowid from events where source = s.name and treaty is not null order by detected_at desc limit 1)
    where json_extract(e.treaty, '$.id') = ? and substr(e.key, 1, length(?)) != ?"""
"""The sources about one treaty whose events are not keyed by it (a generic source's configured
`treaty`): each source's latest event with a treaty names it, under a key of its own. One
indexed look-up per source, never a scan of the events."""


def _treaty_params(treaty: str) -> list[str]:
    return [treaty, treaty + ":", treaty + ":"]


def generic_treaty(conn: sqlite3.Connection, source: str, treaty: str) -> dict[str, Any] | None:
    """The treaty ({id, title, url}) a source that does not key events by treaty is about,
    when its id is `treaty`; None otherwise."""
    row = conn.execute(f"select treaty from events where treaty is not null and source = ?"
                       f" and source in ({TREATY_SOURCES}) order by detected_at desc limit 1",
                       [source, *_treaty_params(treaty)]).fetchone()
    return json.loads(row[0]) if row else None


def subject_name(conn: sqlite3.Connection, subject: str) -> str | None:
    """The name a state has in the events (any case matches), or None if no event names it."""
    row = conn.execute("select subject from events where subject = ? collate nocase limit 1", [subject]).fetchone()
    return row[0] if row else None


def treaty_records(conn: sqlite3.Connection, source: str, treaty: str) -> list[Record]:
    """The current records of one treaty of a treaty source (keys "<treaty>:…")."""
    rows = _rows(conn, "select key, title, url, fields from records where source = ? and key >= ? and key < ?"
                       " and removed_at is null order by key", [source, treaty + ":", treaty + ";"])
    return [Record.trusted(r["key"], json.loads(r["fields"] or "{}"), r["title"], r["url"]) for r in rows]


def source_records(conn: sqlite3.Connection, source: str) -> list[Record]:
    """The current records of a source, by key."""
    rows = _rows(conn, "select key, title, url, fields from records where source = ? and removed_at is null"
                       " order by key", [source])
    return [Record.trusted(r["key"], json.loads(r["fields"] or "{}"), r["title"], r["url"]) for r in rows]


def source_rows(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Every source's row of the sources table (its last check, outcome, streak, memo), by name."""
    return {row["name"]: row for row in _rows(conn, "select * from sources")}


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def months_back(count: int, today: str | None = None) -> list[str]:
    """The last `count` months as "YYYY-MM", oldest first, this month last."""
    year, month = (int(part) for part in (today or utcnow())[:7].split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def events_version(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """What changes when the counts of news events can: the newest row and the held events."""
    newest = conn.execute("select max(rowid) from events").fetchone()[0]
    held = conn.execute("select count(*) from events where hold = 'held'").fetchone()[0]
    return newest, held


def actions_by_month(conn: sqlite3.Connection, months: list[str]) -> dict[str, dict[str, int]]:
    """Treaty actions detected in each month (held and dropped ones left out), by type; one range of
    the (type, detected_at) index per type."""
    counts: dict[str, dict[str, int]] = {month: {} for month in months}
    start, end = f"{months[0]}-01", _next_month(months[-1])
    for kind in TREATY_TYPES:
        rows = conn.execute("select substr(detected_at, 1, 7), count(*) from events where type = ?"
                            " and detected_at >= ? and detected_at < ? and coalesce(hold, 'released') = 'released'"
                            " group by 1", [kind, start, end]).fetchall()
        for month, count in rows:
            if month in counts:
                counts[month][kind] = count
    return counts


def _next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + (number == 12):04d}-{number % 12 + 1:02d}-01"


def subject_actions(conn: sqlite3.Connection, subject: str, limit: int = 200) -> tuple[list[Event], bool]:
    """A state's newest treaty actions across all sources, at most `limit`, and whether it has more.
    Only what a timeline shows is read (no summary, details or links), newest first."""
    where = (f"subject = ? collate nocase and +type in ({','.join('?' * len(TREATY_TYPES))})"
             " and coalesce(hold, 'released') = 'released'")
    rows = conn.execute(f"select id, type, source, key, subject, title, date, json_extract(treaty, '$.title')"
                        f" from events where {where} order by detected_at desc limit ?",
                        [subject, *TREATY_TYPES, limit + 1]).fetchall()
    events = [Event(id=row[0], type=row[1], source=row[2], key=row[3], subject=row[4], title=row[5], date=row[6],
                    treaty=Treaty(title=row[7]) if row[7] else None) for row in rows[:limit]]
    return events, len(rows) > limit


def event_by_id(conn: sqlite3.Connection, event_id: str) -> Event | None:
    """One event by its id, held and dropped ones included (its page says so)."""
    rows = _rows(conn, "select * from events where id = ?", [event_id])
    return row_to_event(rows[0]) if rows else None
