"""The read-only dashboard: pages of treaty events, a state's timeline, a treaty's status, source health."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Callable
from urllib.parse import quote, unquote

import jinja2

from monitor.clock import iso, utcnow
from monitor.errors import BadRequest, plain_error
from monitor.events import LABELS, OPS_TYPES, RECORD_TYPES, TREATY_TYPES, Event
from monitor.render import about, headline, label
from monitor.schedule import next_check
from monitor.settings import Config, SourceConfig
from monitor.sources import STATUS_TABLES
from monitor.store import (
    Filters,
    actions_by_month,
    event_by_id,
    events_version,
    find_events,
    generic_treaty,
    months_back,
    parse_filters,
    source_records,
    source_rows,
    subject_actions,
    subject_name,
    treaty_records,
)
from monitor.text import human_date, human_time, web_link
from monitor.treaties import TreatyStatus
from monitor.web.answer import Response
from monitor.web.pictures import (
    MONTH_TYPES,
    STANDING_LABELS,
    STANDINGS,
    Mark,
    Pictures,
    months_chart,
    parties_curve,
    standings,
    state_timeline,
    treaty_map,
    unplaced,
)

HTML = "text/html; charset=utf-8"
SVG = "image/svg+xml"
PICTURE_HEADERS = {
    # A picture is a document of its own: its inline style may apply, nothing else may load or run.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-cache",
}
MONTHS = 24
"""How many months the home page's chart of treaty actions covers."""
TYPE_GROUPS = [("Treaty actions", TREATY_TYPES), ("Record changes", RECORD_TYPES), ("The monitor", OPS_TYPES)]

Reader = Callable[[Callable[[sqlite3.Connection], Any]], Any]
"""Runs a function on a read connection to the state database and returns its result."""


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("monitor.web", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(day=human_date, moment=human_time, official=web_link, path=lambda v: quote(v, safe=""))
    env.globals.update(label=label, about=about, headline=headline, LABELS=LABELS, TYPE_GROUPS=TYPE_GROUPS,
                       unplaced=unplaced)
    return env


@dataclass(frozen=True)
class MonthCounts:
    """The home page's counts of treaty actions per month, and what they were counted at."""

    months: list[str]
    held: int
    newest: int | None
    counts: dict[str, dict[str, int]]


class Dashboard:
    """Answers the dashboard's paths from the database, through `read`."""

    def __init__(self, read: Reader, config: Callable[[], Config | None]):
        self.read = read
        self.config = config
        self.pictures = Pictures()
        self._months: MonthCounts | None = None

    def handle(self, path: str, query: str) -> Response:
        """The page at `path`; a 404 page for anything unknown, a 400 page for bad parameters."""
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        try:
            if path in ("/", "/events"):
                return self.read(lambda conn: self._home(conn, query))
            if path == "/sources":
                return self.read(self._sources)
            if path == "/pictures/actions-per-month.svg":
                return self.read(self._months_picture)
            if len(parts) == 2 and parts[0] == "events" and parts[1]:
                return self.read(lambda conn: self._event(conn, parts[1]))
            if len(parts) == 2 and parts[0] == "subjects" and parts[1]:
                return self.read(lambda conn: self._subject(conn, parts[1], query))
            if len(parts) == 3 and parts[0] == "subjects" and parts[1] and parts[2] == "timeline.svg":
                return self.read(lambda conn: self._timeline_picture(conn, parts[1]))
            if len(parts) == 3 and parts[0] == "treaties" and all(parts[1:]):
                return self.read(lambda conn: self._treaty(conn, parts[1], parts[2], query))
            if len(parts) == 4 and parts[0] == "treaties" and all(parts[1:3]) and parts[3] in TREATY_PICTURES:
                return self.read(lambda conn: self._treaty_picture(conn, parts[1], parts[2], parts[3]))
        except BadRequest as exc:
            return self.page("error.html", 400, title="Bad request", message=str(exc))
        return self.not_found("There is no page at this address.")

    # --- pages ---------------------------------------------------------------------------

    def page(self, template: str, code: int = 200, **context: Any) -> Response:
        body = environment().get_template(template).render(**context)
        return Response(code, HTML, body.encode("utf-8"))

    def not_found(self, message: str) -> Response:
        return self.page("error.html", 404, title="Not found", message=message)

    def _home(self, conn: sqlite3.Connection, query: str) -> Response:
        filters, before = parse_filters(query)
        page = find_events(conn, filters, before=before)
        rows = source_rows(conn)
        health = sorted(self._health(rows), key=lambda s: (not s["failing"], s["name"]))
        names = sorted({s["name"] for s in health} | set(rows))
        months, counts = self._actions_by_month(conn)
        return self.page("home.html", filters=filters, page=page, health=health, source_names=names,
                         treaty_of=self._treaty_of(rows), base="/events", before=before, months=months,
                         counts=counts, month_types=MONTH_TYPES)

    def _sources(self, conn: sqlite3.Connection) -> Response:
        return self.page("sources.html", health=self._health(source_rows(conn)))

    def _subject(self, conn: sqlite3.Connection, subject: str, query: str) -> Response:
        name = subject_name(conn, subject)
        if name is None:
            return self.not_found(f"No event names the state {subject!r}.")
        filters, before = parse_filters(query)
        filters = Filters(type=filters.type, subject=name)
        page = find_events(conn, filters, before=before)
        marks, undated, more = self._marks(conn, name)
        return self.page("subject.html", subject=name, filters=filters, page=page, before=before,
                         treaty_of=self._treaty_of(source_rows(conn)), base=f"/subjects/{quote(name, safe='')}",
                         marks=marks, undated=undated, more=more)

    def _status(self, conn: sqlite3.Connection, source: str, treaty: str) -> TreatyStatus | None:
        rows = source_rows(conn)
        kind = self._kinds(rows).get(source)
        table = STATUS_TABLES.get(kind or "")
        if table is None:  # a generic source about the one treaty it names
            named = generic_treaty(conn, source, treaty)
            return TreatyStatus(treaty, named.get("title") or treaty, named.get("url"), []) if named else None
        memo = _json(rows.get(source, {}).get("memo"))
        return table(treaty, lambda ref: treaty_records(conn, source, ref), memo)

    def _treaty(self, conn: sqlite3.Connection, source: str, treaty: str, query: str) -> Response:
        status = self._status(conn, source, treaty)
        if status is None:
            return self.not_found(f"The source {source!r} has no treaty {treaty!r}.")
        rows = source_rows(conn)
        _, before = parse_filters(query)
        filters = Filters(source=source, treaty=status.treaty)
        page = find_events(conn, filters, before=before)
        records = [] if self._kinds(rows).get(source) in STATUS_TABLES else source_records(conn, source)
        return self.page("treaty.html", source=source, status=status, filters=filters, page=page, records=records,
                         treaty_of=self._treaty_of(rows), standings=standings(status), STANDINGS=STANDINGS,
                         STANDING_LABELS=STANDING_LABELS,
                         base=f"/treaties/{quote(source, safe='')}/{quote(status.treaty, safe='')}", before=before)

    def _event(self, conn: sqlite3.Connection, event_id: str) -> Response:
        event = event_by_id(conn, event_id)
        if event is None:
            return self.not_found(f"There is no event {event_id!r}.")
        return self.page("event.html", event=event, treaty_of=self._treaty_of(source_rows(conn)))

    # --- pictures ------------------------------------------------------------------------

    def picture(self, etag: str, draw: Callable[[], bytes]) -> Response:
        """An SVG answer with its ETag; the web side answers 304 when the browser has it."""
        return Response(200, SVG, self.pictures.get(etag, draw), {**PICTURE_HEADERS, "ETag": etag})

    def _treaty_picture(self, conn: sqlite3.Connection, source: str, treaty: str, name: str) -> Response:
        status = self._status(conn, source, treaty)
        if status is None:
            return self.not_found(f"The source {source!r} has no treaty {treaty!r}.")
        table = standings(status)
        if name == "map.svg":
            return self.picture(Pictures.etag(name, status.title, table.rows),
                                lambda: treaty_map(status.title, table))
        today = date.fromisoformat(utcnow()[:10])
        return self.picture(Pictures.etag(name, status.title, table.steps, today),
                            lambda: parties_curve(status.title, table.steps, today))

    def _timeline_picture(self, conn: sqlite3.Connection, subject: str) -> Response:
        name = subject_name(conn, subject)
        if name is None:
            return self.not_found(f"No event names the state {subject!r}.")
        marks, _, _ = self._marks(conn, name)
        return self.picture(Pictures.etag("timeline", name, marks), lambda: state_timeline(name, marks))

    def _months_picture(self, conn: sqlite3.Connection) -> Response:
        months, counts = self._actions_by_month(conn)
        return self.picture(Pictures.etag("months", months, sorted((m, sorted(c.items())) for m, c in counts.items())),
                            lambda: months_chart(months, counts))

    def _actions_by_month(self, conn: sqlite3.Connection) -> tuple[list[str], dict[str, dict[str, int]]]:
        """The last months' treaty actions by type. New events are detected now, so a new one means
        counting this month again; a full count only when the months move on or a held event is
        released or dropped."""
        months = months_back(MONTHS)
        newest, held = events_version(conn)
        kept = self._months
        if kept is None or kept.months != months or kept.held != held:
            kept = MonthCounts(months, held, newest, actions_by_month(conn, months))
        elif kept.newest != newest:
            kept = MonthCounts(months, held, newest, {**kept.counts, **actions_by_month(conn, months[-1:])})
        self._months = kept
        return months, kept.counts

    def _marks(self, conn: sqlite3.Connection, subject: str) -> tuple[list[Mark], list[Event], bool]:
        """A state's newest dated treaty actions as timeline marks (oldest first), the undated ones,
        and whether older ones were left out."""
        events, more = subject_actions(conn, subject)
        marks, undated = [], []
        for event in reversed(events):
            day = _iso_day(event.date)
            if day is None:
                undated.append(event)
                continue
            marks.append(Mark(day, event.type, headline(event, limit=200), f"/events/{quote(event.id, safe='')}"))
        return marks, undated, more

    # --- parts ---------------------------------------------------------------------------

    def _kinds(self, rows: dict[str, dict[str, Any]]) -> dict[str, str]:
        config = self.config()
        kinds = {name: row["kind"] for name, row in rows.items()}
        kinds.update({s.name: s.kind for s in (config.sources if config else [])})
        return kinds

    def _treaty_of(self, rows: dict[str, dict[str, Any]]) -> Callable[[Event], str | None]:
        """The dashboard path of an event's treaty page, when its source has status tables."""
        kinds = self._kinds(rows)

        def path(event: Event) -> str | None:
            if event.treaty is None:
                return None
            if kinds.get(event.source) in STATUS_TABLES:
                treaty = event.key.split(":")[0] if ":" in event.key else None
            else:  # a generic source's configured treaty
                treaty = event.treaty.id
            return f"/treaties/{quote(event.source, safe='')}/{quote(treaty, safe='')}" if treaty else None
        return path

    def _health(self, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Each configured source (then any only the database knows) with its last and next check."""
        config = self.config()
        configured = {s.name: s for s in (config.sources if config else [])}
        health, now = [], utcnow()
        for name in [*configured, *sorted(set(rows) - set(configured))]:
            row, source = rows.get(name) or {}, configured.get(name)
            failures = row.get("consecutive_failures") or 0
            enabled = source.enabled if source else False
            next_at = _next_check(source, row) if source and enabled else None
            health.append({
                "name": name, "kind": source.kind if source else row.get("kind"), "enabled": enabled,
                "configured": source is not None, "last_check": row.get("last_check"),
                "outcome": row.get("last_outcome") or ("never checked" if enabled else None),
                "last_error": plain_error(row["last_error"]) if row.get("last_error") else None,
                "failures": failures, "records": row.get("records") or 0, "next_check": next_at,
                "overdue": bool(next_at and next_at < now),
                "failing": bool(failures) or row.get("last_outcome") == "failed",
            })
        return health


TREATY_PICTURES = ("map.svg", "parties.svg")


def _iso_day(text: str | None) -> str | None:
    """An ISO day from an event's date, or None when it has none (an undated action is never placed)."""
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _next_check(source: SourceConfig, row: dict[str, Any]) -> str | None:
    """When the daemon next checks `source` (ISO, UTC), as `status` says it."""
    due = next_check(source, row)
    return iso(due) if due else None
