"""The SQLite state as one object: its reads (see `reads`) and the transactions that write
what checks learn (see `writes`, `standing`); the schema and its migrations are in `schema`."""

from __future__ import annotations

import sqlite3
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from monitor.diff import Stored
from monitor.documents import DocState
from monitor.errors import StateError
from monitor.events import Event
from monitor.settings import STATE_OPTIONS, ChannelConfig, Config
from monitor.store import reads
from monitor.store.database import Database, connect
from monitor.store.event_rows import insert_event
from monitor.store.flood import hold_flood
from monitor.store.outbox import Outbox
from monitor.store.schema import SCHEMA_VERSION, version_of
from monitor.store.schema import migrate as migrate_schema
from monitor.store.standing import (
    Standing,
    clean_sources,
    clear_failure,
    count_failure,
    recovered,
    standing_of,
)
from monitor.store.writes import (
    SuccessfulCheck,
    count_records,
    ensure_source,
    log_check,
    note_failure,
    note_quiet,
    note_success,
    prune_documents,
    write_documents,
    write_parts,
)

T = TypeVar("T")
KEEP_SNAPSHOTS: int = STATE_OPTIONS["keep_snapshots"].default  # the one default: the option table's


class State:
    """The state database: records, events and checks, and the delivery `outbox` each new
    event is handed to in the transaction that stores it. Open it with `open_state`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, keep_snapshots: int = KEEP_SNAPSHOTS,
                 readonly: bool = False, channels: Iterable[ChannelConfig] = ()):
        self.conn = conn
        self.path = path
        self.keep_snapshots = keep_snapshots
        self.readonly = readonly
        self.database = Database(conn, path)
        self.outbox = Outbox(self.database, channels)
        """Queues each new event for the channels that want it (none given: nothing is queued)."""

    @property
    def write_error(self) -> tuple[str, str] | None:
        """(when, why) of the last write that could not commit, until one commits again."""
        return self.database.write_error

    def close(self) -> None:
        self.conn.close()

    @cached_property
    def db(self) -> Any:
        """The connection as a sqlite-utils Database, loaded on first use (it imports slowly)."""
        import sqlite_utils
        return sqlite_utils.Database(self.conn)

    # --- reads (see `reads`) -----------------------------------------------------------

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """A query's rows as dicts (for the modules that read beside the store: held, related)."""
        return self.database.rows(sql, params)

    def source_row(self, name: str) -> dict[str, Any] | None:
        return reads.source_row(self.database, name)

    def source_rows(self) -> dict[str, dict[str, Any]]:
        return reads.source_rows(self.database)

    def documents(self, source: str) -> dict[str, DocState]:
        return reads.documents_of(self.database, [source]).get(source, {})

    def documents_of(self, sources: list[str]) -> dict[str, dict[str, DocState]]:
        return reads.documents_of(self.database, sources)

    def snapshot_body(self, source: str, doc_key: str) -> bytes | None:
        return reads.snapshot_body(self.database, source, doc_key)

    def part_items(self, source: str, part: str) -> int | None:
        return reads.part_items(self.database, source, part)

    def stored(self, source: str, part: str, only_missing: bool = False) -> dict[str, Stored]:
        return reads.stored(self.database, source, part, only_missing)

    def records(self, source: str, include_removed: bool = False) -> list[Stored]:
        return reads.records(self.database, source, include_removed)

    def events(self, since: str | None = None, types: list[str] | None = None,
               sources: list[str] | None = None, limit: int | None = None) -> list[Event]:
        return reads.events(self.database, since, types, sources, limit)

    # --- writes, each one transaction (see `writes`, `standing`) ----------------------

    def write(self, work: Callable[[], T]) -> T:
        """Run `work` in one transaction (see `Database.write`)."""
        return self.database.write(work)

    def record_failure(self, source: str, kind: str, started_at: str, duration: float, error: str,
                       bytes_: int = 0, requests: int = 0, *, structural: bool = False,
                       threshold: int = 3) -> tuple[int, list[Event]]:
        """Log a failed check; records and documents stay as they were. Returns the failure
        streak and the operational events it raised (see `standing.count_failure`)."""
        def work() -> tuple[int, list[Event]]:
            ensure_source(self.conn, source, kind, started_at)
            note_failure(self.conn, source, started_at)
            streak, new = self._failing(source, started_at, error, structural, threshold)
            log_check(self.conn, source, started_at, duration, "failed", bytes_, requests, 0, None,
                      len(new), error)
            return streak, new
        return self.write(work)

    def record_success(self, check: SuccessfulCheck) -> tuple[list[Event], int, int]:
        """Write all a check learned in one transaction, with one pending delivery per new
        event and channel that wants it (the outbox). A check with `error` set (some parts
        failed) also counts as a failure. Returns the new events, the number of current
        records and the failure streak."""
        return self.write(lambda: self._record_success(check))

    def record_quiet(self, checks: list[SuccessfulCheck]) -> None:
        """Write checks that found nothing new (see `quiet.is_quiet`) in one transaction:
        each notes its run, validators and memo; one whose source's standing changed since
        the cycle read it (another process recorded a failure) is written in full instead."""
        def work() -> None:
            clean = clean_sources(self.conn, [check.source for check in checks])
            quiet = [check for check in checks if clean.get(check.source) == check.kind]
            note_quiet(self.conn, quiet)
            for check in checks:
                if clean.get(check.source) != check.kind:
                    self._record_success(check)
        self.write(work)

    def add_event(self, event: Event, now: str) -> bool:
        """Store an event unless its id is known, and hand it to the outbox unless it is held
        (within a write). True when new."""
        if not insert_event(self.conn, event):
            return False
        if event.hold is None:
            self.outbox.queue(event, now)
        return True

    def _record_success(self, check: SuccessfulCheck) -> tuple[list[Event], int, int]:
        """The writes of `record_success`: documents, parts and records, new events, the
        source's row, its failure standing, the check log."""
        now, name = check.started_at, check.source
        before = standing_of(self.conn, name, check.kind, now)
        write_documents(self.conn, name, check.documents, now, self.keep_snapshots)
        changed = write_parts(self.conn, name, check.parts, now)
        new_events = self._add_check_events(check, before)
        records = None
        if any(items is not None or diff.removed for _, items, diff in check.parts):
            records = count_records(self.conn, name)
        note_success(self.conn, check, records, changed)
        streak, failing = self._failure_status(check, before)
        new_events += failing
        log_check(self.conn, name, now, check.duration, check.outcome, check.bytes, check.requests,
                  check.not_modified, records, len(new_events), check.error)
        # Not counted now (no part parsed): the update above left the stored count as it was.
        return new_events, before.records if records is None else records, streak

    def _add_check_events(self, check: SuccessfulCheck, before: Standing) -> list[Event]:
        """Store the check's events, a recovery's, and the one that says a flood was held;
        the new ones."""
        now = check.started_at
        ops = [] if check.error else recovered(check.source, before, check.threshold, now)
        held = hold_flood(check.events, self._known_event, check.max_events, check.source, now)
        events = check.events + ops + ([held] if held else [])
        return [event for event in events if self.add_event(event, now)]

    def _failure_status(self, check: SuccessfulCheck, before: Standing) -> tuple[int, list[Event]]:
        """Count a partly failed check as a failure (with the events that raises), or clear a
        fully successful one's standing; the streak and the new events."""
        if check.error:
            return self._failing(check.source, check.started_at, check.error, check.structural,
                                 check.threshold)
        clear_failure(self.conn, check.source, before)
        return 0, []

    def _failing(self, source: str, now: str, error: str, structural: bool,
                 threshold: int) -> tuple[int, list[Event]]:
        """Count one more failure: the streak and the new events it raised (see `count_failure`)."""
        streak, events = count_failure(self.conn, source, now, error, structural, threshold)
        return streak, [e for e in events if self.add_event(e, now)]

    def _known_event(self, event_id: str) -> bool:
        known = self.conn.execute("select 1 from events where id = ?", [event_id]).fetchone()
        return known is not None

    def prune_documents(self, older_than: str) -> int:
        """Forget documents (validators and snapshots) no source has fetched since `older_than`,
        such as the days that have left a look-back window; return how many."""
        return self.write(lambda: prune_documents(self.conn, older_than))

    def prune_checks(self, older_than: str) -> int:
        """Delete check-log rows started before `older_than`; return how many."""
        return self.write(lambda: self.conn.execute("delete from checks where started_at < ?",
                                                    [older_than]).rowcount)


def open_state(path: str | Path, keep_snapshots: int = KEEP_SNAPSHOTS, *, readonly: bool = False,
               migrate: bool = True, channels: Iterable[ChannelConfig] = ()) -> State:
    """Open (or create) the state database and run migrations; raise StateError if unusable.
    New events are queued for those of `channels` that want them (see `Outbox`).

    `readonly` (the commands that only read) never writes when the schema is current, so it
    works on a database it cannot write; `migrate=False` is for readers beside a process that
    migrated at its start. Nothing here touches the file outside SQLite (see `database`)."""
    path = Path(path)
    if readonly and path.exists():
        conn = connect(path, readonly=True)
        try:
            version = version_of(conn, path)
        except BaseException:
            conn.close()
            raise
        if version == SCHEMA_VERSION or not migrate:
            return State(conn, path, keep_snapshots, readonly=True, channels=channels)
        conn.close()  # an older schema: migrate it, if this process can write
    conn = connect(path)
    try:
        if migrate:
            migrate_schema(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StateError(f"{path}: cannot migrate the state database: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return State(conn, path, keep_snapshots, channels=channels)


def state_for(config: Config, *, readonly: bool = False) -> State:
    """The state database `config` names, queueing new events for its channels."""
    return open_state(config.state_path, config.keep_snapshots, readonly=readonly,
                      channels=config.channels)
