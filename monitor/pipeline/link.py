"""After a check: keep the treaty catalogue current, link events to it, and give them stories."""

from __future__ import annotations

import json
import logging
import sqlite3
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from monitor.errors import SourceError, StateError
from monitor.events import Event
from monitor.net import SourceContext
from monitor.sources import CATALOGUES, LINKERS, Part, Source
from monitor.store import State, atomic, row_to_event
from monitor.treaties import assign, story_id

if TYPE_CHECKING:  # the catalogue and the matcher load when a kind that uses them is checked
    from monitor.treaties import CatalogueEntry, RussianMatcher

log = logging.getLogger("monitor.linking")  # the name JSON log lines carry: kept as it was


def _run(state: State, work: Callable[[sqlite3.Connection], Any]) -> Any:
    try:
        with atomic(state.conn):
            return work(state.conn)
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{state.path}: cannot use the treaty catalogue: {exc}") from None


def load_catalogue(state: State) -> list[CatalogueEntry]:
    """Every treaty the catalogue holds (empty until a `coe` or `untc` source has fetched)."""
    from monitor.treaties import CatalogueEntry

    def work(conn: sqlite3.Connection) -> list[CatalogueEntry]:
        cursor = conn.execute("select * from treaties order by id")
        names = [d[0] for d in cursor.description]
        return [CatalogueEntry.from_row(dict(zip(names, row, strict=False))) for row in cursor.fetchall()]
    return _run(state, work)


def store_catalogue(state: State, source: str, entries: list[CatalogueEntry], now: str) -> int:
    """Insert or update entries; returns how many are new or changed."""
    def work(conn: sqlite3.Connection) -> int:
        changed = 0
        cursor = conn.execute("select * from treaties")
        names = [d[0] for d in cursor.description]
        known = {row[0]: dict(zip(names, row, strict=False)) for row in cursor.fetchall()}
        for entry in entries:
            row = entry.row()
            if entry.id in known and all(known[entry.id].get(k) == v for k, v in row.items()):
                continue
            columns = [*row, "source", "updated_at"]
            conn.execute(f"insert or replace into treaties ({', '.join(columns)}) values "
                         f"({', '.join('?' * len(columns))})", [*row.values(), source, now])
            changed += 1
        return changed
    return _run(state, work)


@lru_cache(maxsize=2)
def _matcher(entries: tuple[CatalogueEntry, ...]) -> RussianMatcher:
    from monitor.treaties import RussianMatcher

    return RussianMatcher(list(entries))


def prepare(state: State, source: Source, ctx: SourceContext, parts: list[Part], events: list[Event],
            now: str) -> list[Event]:
    """Refresh the catalogue from what this check fetched and collected (`parts`), link the new events of kinds that
    name treaties in Russian, link earlier events the catalogue could not link yet, and set
    every event's story. Ids never change here, so nothing is alerted twice."""
    reader = CATALOGUES.get(source.config.kind)
    if reader is not None:
        empty = not _run(state, lambda conn: conn.execute(
            "select 1 from treaties where source = ? limit 1", [source.name]).fetchone())
        try:
            entries = reader(source, parts, ctx.updates, lambda key: state.snapshot_body(source.name, key), empty)
        except SourceError as exc:  # the source's own parser judged the list; keep what is known
            log.warning("%s: treaty catalogue not refreshed: %s", source.name, exc)
            entries = None
        if entries and store_catalogue(state, source.name, entries, now):
            log.info("treaty catalogue: %d treaties from %s", len(entries), source.name)
            relink(state)
    linker = LINKERS.get(source.config.kind)
    if linker is not None and events:
        linker(events, _matcher(tuple(load_catalogue(state))))
    return assign(events)


def relink(state: State) -> int:
    """Link stored events whose treaty the catalogue did not know when they were detected;
    their rows are updated in place (no new event, no new delivery). Returns how many."""
    matcher = _matcher(tuple(load_catalogue(state)))

    def work(conn: sqlite3.Connection) -> int:
        cursor = conn.execute(
            "select e.*, s.kind from events e join sources s on s.name = e.source where e.story is null"
            f" and s.kind in ({','.join('?' * len(LINKERS))})", list(LINKERS))
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]
        done = 0
        for row in rows:
            event = row_to_event(row)
            if event.treaty and event.treaty.id:
                continue
            LINKERS[row["kind"]]([event], matcher)
            if not (event.treaty and event.treaty.id):
                continue
            conn.execute("update events set treaty = ?, summary = ?, details = ?, story = ? where id = ?",
                         [json.dumps(event.treaty.__dict__, ensure_ascii=False), event.summary,
                          json.dumps(event.details, ensure_ascii=False, sort_keys=True), story_id(event), event.id])
            done += 1
        return done
    return _run(state, work)
