"""The SQLite state: every read and write of it (the schema and its migrations are in `schema`)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from monitor.diff import PartDiff, Stored
from monitor.documents import DocState, DocUpdate
from monitor.errors import StateError
from monitor.events import Event, ops_event
from monitor.outcomes import CheckOutcome
from monitor.records import Record
from monitor.settings import STATE_OPTIONS, ChannelConfig, Config
from monitor.store.database import Database, connect
from monitor.store.event_rows import insert_event, row_to_event
from monitor.store.flood import hold_flood
from monitor.store.outbox import Outbox
from monitor.store.schema import SCHEMA_VERSION, version_of
from monitor.store.schema import migrate as migrate_schema


@dataclass
class SuccessfulCheck:
    """Everything one successful check learned, written by `State.record_success` at once."""

    source: str
    kind: str
    started_at: str
    duration: float
    outcome: CheckOutcome
    bytes: int
    requests: int
    not_modified: int
    documents: list[DocUpdate]
    memo: dict[str, Any]
    parts: list[tuple[str, int | None, PartDiff]] = field(default_factory=list)
    """(part name, items found or None when the part was unchanged, its diff)."""
    events: list[Event] = field(default_factory=list)
    threshold: int = 3
    """Failures in a row that made an incident (a recovery from one raises source_recovered)."""
    error: str | None = None
    """Set when some parts failed: what was learned is kept, and the check counts as failed."""
    structural: bool = False
    first: bool = False
    """The source's first check: when some parts failed, the next check is a baseline too."""
    max_events: int | None = None
    """More new events than this are all held, not sent (see `flood.hold_flood`)."""


T = TypeVar("T")
KEEP_SNAPSHOTS: int = STATE_OPTIONS["keep_snapshots"].default  # the one default, from the option table


class State:
    """The state database: records, events and checks, and the delivery `outbox` each new
    event is handed to in the transaction that stores it. Open it with `open_state`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, keep_snapshots: int = KEEP_SNAPSHOTS, readonly: bool = False,
                 channels: Iterable[ChannelConfig] = ()):
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
    def db(self) -> Any:  # the connection as a sqlite-utils Database, loaded on first use (it imports slowly)
        import sqlite_utils
        return sqlite_utils.Database(self.conn)

    # --- reads -------------------------------------------------------------------------

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return self.database.rows(sql, params)

    def source_row(self, name: str) -> dict[str, Any] | None:
        return next(iter(self._rows("select * from sources where name = ?", [name])), None)

    def source_rows(self) -> dict[str, dict[str, Any]]:
        return {row["name"]: row for row in self._rows("select * from sources")}

    def documents(self, source: str) -> dict[str, DocState]:
        return self.documents_of([source]).get(source, {})

    def documents_of(self, sources: list[str]) -> dict[str, dict[str, DocState]]:
        """The validators of the documents each source fetched before, by source and key."""
        found: dict[str, dict[str, DocState]] = {}
        for r in self._rows("select source, key, etag, last_modified, hash, checked_at from documents"
                            f" where source in ({','.join('?' * len(sources))})", sources):
            found.setdefault(r["source"], {})[r["key"]] = DocState(r["etag"], r["last_modified"], r["hash"],
                                                                   r["checked_at"])
        return found

    def snapshot_body(self, source: str, doc_key: str) -> bytes | None:
        rows = self._rows("select body from snapshots where source = ? and doc_key = ? order by id desc limit 1",
                          [source, doc_key])
        return zlib.decompress(rows[0]["body"]) if rows else None

    def part_items(self, source: str, part: str) -> int | None:
        return next((r["items"] for r in self._rows("select items from parts where source = ? and part = ?",
                                                    [source, part])), None)

    def stored(self, source: str, part: str, only_missing: bool = False) -> dict[str, Stored]:
        sql = "select * from records where source = ? and part = ?"
        if only_missing:
            sql += " and missing > 0 and removed_at is null"
        return {row["key"]: _stored(row) for row in self._rows(sql, [source, part])}

    def records(self, source: str, include_removed: bool = False) -> list[Stored]:
        sql = "select * from records where source = ?"
        if not include_removed:
            sql += " and removed_at is null"
        return [_stored(row) for row in self._rows(sql + " order by key", [source])]

    def events(self, since: str | None = None, types: list[str] | None = None,
               sources: list[str] | None = None, limit: int | None = None) -> list[Event]:
        sql, params = "select * from events where 1=1", []
        if since:
            sql += " and detected_at >= ?"
            params.append(since)
        if types:
            sql += f" and type in ({','.join('?' * len(types))})"
            params += types
        if sources:
            sql += f" and source in ({','.join('?' * len(sources))})"
            params += sources
        sql += " order by detected_at desc, rowid desc"
        if limit:
            sql += " limit ?"
            params.append(limit)
        return [row_to_event(row) for row in self._rows(sql, params)]

    # --- writes ------------------------------------------------------------------------

    def _write(self, work: Callable[[], T]) -> T:
        """Run `work` in one transaction (see `Database.write`)."""
        return self.database.write(work)

    rows, write = _rows, _write  # for the modules that read and write beside the store (held, related)

    def _ensure_source(self, name: str, kind: str, now: str) -> None:
        self.conn.execute("insert into sources (name, kind, created_at) values (?, ?, ?)"
                          " on conflict (name) do update set kind = excluded.kind", [name, kind, now])

    def _note_document(self, source: str, doc: DocUpdate, now: str) -> None:
        """Store a fetched document's validators and hash (its body is kept apart, in snapshots)."""
        self.conn.execute(
            "insert into documents (source, key, url, etag, last_modified, hash, checked_at, changed_at)"
            " values (?,?,?,?,?,?,?,?) on conflict (source, key) do update set url = excluded.url,"
            " etag = excluded.etag, last_modified = excluded.last_modified, hash = excluded.hash,"
            " checked_at = excluded.checked_at,"
            " changed_at = case when documents.hash = excluded.hash then documents.changed_at"
            " else excluded.changed_at end",
            [source, doc.key, doc.url, doc.etag, doc.last_modified, doc.hash, now, now])

    def _log_check(self, source: str, started_at: str, duration: float, outcome: str, bytes_: int,
                   requests: int, not_modified: int, records: int | None, events: int, error: str | None) -> None:
        self.conn.execute(_LOG_CHECK, [source, started_at, round(duration, 4), outcome, bytes_, requests,
                                       not_modified, records, events, error])

    def record_failure(self, source: str, kind: str, started_at: str, duration: float, error: str,
                       bytes_: int = 0, requests: int = 0, *, structural: bool = False,
                       threshold: int = 3) -> tuple[int, list[Event]]:
        """Log a failed check; records and documents stay as they were. Returns the failure
        streak and the operational events it raised (see `_failing`)."""
        def work() -> tuple[int, list[Event]]:
            self._ensure_source(source, kind, started_at)
            self.conn.execute("update sources set last_check = ?, last_outcome = 'failed' where name = ?",
                              [started_at, source])
            streak, new = self._failing(source, started_at, error, structural, threshold)
            self._log_check(source, started_at, duration, "failed", bytes_, requests, 0, None, len(new), error)
            return streak, new
        return self._write(work)

    def _failing(self, source: str, now: str, error: str, structural: bool,
                 threshold: int) -> tuple[int, list[Event]]:
        """Count one more failure. Raises one `structure_changed` event per incident of an
        unknown page shape, and one `source_failing` when the streak reaches `threshold`."""
        self.conn.execute(
            "update sources set last_error = ?, consecutive_failures = consecutive_failures + 1,"
            " failing_since = coalesce(failing_since, ?) where name = ?", [error, now, source])
        streak, since = self.conn.execute(
            "select consecutive_failures, failing_since from sources where name = ?", [source]).fetchone()
        events = []
        if structural:
            events.append(ops_event("structure_changed", source, since,
                                    f"{source}: the page no longer has the expected shape: {error}",
                                    now, {"error": error}))
        if streak == threshold:
            events.append(ops_event("source_failing", source, since,
                                    f"{source} failed {streak} check{'s' * (streak != 1)} in a row: {error}", now,
                                    {"error": error, "failing_since": since, "failures": streak}))
        return streak, [e for e in events if self.add_event(e, now)]

    def record_success(self, check: SuccessfulCheck) -> tuple[list[Event], int, int]:
        """Write all a check learned in one transaction, with one pending delivery per new
        event and channel that wants it (the outbox). A check with `error` set (some parts
        failed) also counts as a failure. Returns the new events, the number of current
        records and the failure streak."""
        return self._write(lambda: self._record_success(check))

    def record_quiet(self, checks: list[SuccessfulCheck]) -> None:
        """Write checks that found nothing new (see `quiet.is_quiet`) in one transaction:
        each notes its run, validators and memo; one whose source's standing changed since
        the cycle read it (another process recorded a failure) is written in full instead."""
        def work() -> None:
            clean = self._clean_standing([check.source for check in checks])
            quiet = [check for check in checks if clean.get(check.source) == check.kind]
            self.conn.executemany(
                "update sources set last_check = ?, last_success = ?, last_outcome = ?, memo = ? where name = ?",
                [(c.started_at, c.started_at, c.outcome, _memo_text(c.memo), c.source) for c in quiet])
            self.conn.executemany(_LOG_CHECK, [(c.source, c.started_at, round(c.duration, 4), c.outcome, c.bytes,
                                                c.requests, c.not_modified, None, 0, None) for c in quiet])
            for check in quiet:
                for doc in check.documents:
                    self._note_document(check.source, doc, check.started_at)
            for check in checks:
                if clean.get(check.source) != check.kind:
                    self._record_success(check)
        self._write(work)

    def _clean_standing(self, names: list[str]) -> dict[str, str]:
        """The kind of each named source with no failure standing (no streak, no error)."""
        found: dict[str, str] = {}
        for start in range(0, len(names), 500):  # within SQLite's oldest limit on parameters
            chosen = names[start:start + 500]
            found.update(self.conn.execute(
                f"select name, kind from sources where name in ({','.join('?' * len(chosen))})"
                " and consecutive_failures = 0 and failing_since is null and last_error is null", chosen))
        return found

    def add_event(self, event: Event, now: str) -> bool:
        """Store an event unless its id is known, and hand it to the outbox unless it is held
        (within a write). True when new."""
        if not insert_event(self.conn, event):
            return False
        if event.hold is None:
            self.outbox.queue(event, now)
        return True

    def _record_success(self, check: SuccessfulCheck) -> tuple[list[Event], int, int]:
        now, name = check.started_at, check.source
        ops = []
        row = self.conn.execute(_STANDING, [name, check.kind]).fetchone()
        if row is None:  # a new source, or its kind changed: (re)register it first
            self._ensure_source(name, check.kind, now)
            row = self.conn.execute(_STANDING, [name, check.kind]).fetchone()
        streak, since, last_error, stored_records = row
        if since and streak >= check.threshold and not check.error:
            ops.append(ops_event("source_recovered", name, since, f"{name} recovered after {streak} failed check{'s' * (streak != 1)}",
                                 now, {"failing_since": since, "failures": streak}))
        for doc in check.documents:
            self._note_document(name, doc, now)
            if doc.body is not None:
                self.conn.execute("insert into snapshots (source, doc_key, hash, fetched_at, body) values (?,?,?,?,?)",
                                [name, doc.key, doc.hash, now, zlib.compress(doc.body, 6)])
                self.conn.execute(
                    "delete from snapshots where source = ? and doc_key = ? and id not in (select id from snapshots"
                    " where source = ? and doc_key = ? order by id desc limit ?)",
                    [name, doc.key, name, doc.key, self.keep_snapshots])
        changed = False
        for part, items, diff in check.parts:
            if items is not None:
                self.conn.execute("insert into parts (source, part, items, checked_at) values (?,?,?,?)"
                                " on conflict (source, part) do update set items = excluded.items,"
                                " checked_at = excluded.checked_at", [name, part, items, now])
            self.conn.executemany(
                "insert into records (source, key, part, title, url, fields, first_seen, last_seen, missing,"
                " removed_at) values (?,?,?,?,?,?,?,?,0,null) on conflict (source, key) do update set"
                " part = excluded.part, title = excluded.title, url = excluded.url, fields = excluded.fields,"
                " last_seen = excluded.last_seen, missing = 0, removed_at = null,"
                " first_seen = case when records.removed_at is null then records.first_seen else excluded.first_seen end",
                [[name, r.key, part, r.title, r.url, json.dumps(r.fields, ensure_ascii=False, sort_keys=True),
                  now, now] for r in diff.upserts])
            self.conn.executemany("update records set missing = ? where source = ? and key = ?",
                                [[n, name, key] for key, n in diff.missing.items()])
            self.conn.executemany("update records set removed_at = ?, missing = 0 where source = ? and key = ?",
                                [[now, name, key] for key in diff.removed])
            if items is not None:  # every record present in this fetch was seen now
                self.conn.execute("update records set last_seen = ? where source = ? and part = ?"
                                  " and removed_at is null and missing = 0", [now, name, part])
            changed = changed or bool(diff.changes)
        held = hold_flood(check.events, self._known_event, check.max_events, name, now)
        new_events = [event for event in check.events + ops + ([held] if held else [])
                      if self.add_event(event, now)]
        records = None
        if any(items is not None or diff.removed for _, items, diff in check.parts):
            records = self.conn.execute("select count(*) from records where source = ? and removed_at is null",
                                      [name]).fetchone()[0]
        # A partly failed first check leaves the source in its baseline, so the parts that
        # failed are recorded silently when they work, instead of alerting all their history.
        success = None if check.error and check.first else now
        self.conn.execute(
            "update sources set last_check = ?, last_success = coalesce(?, last_success), last_outcome = ?,"
            " memo = ?, records = coalesce(?, records), last_change = case when ? then ? else last_change end"
            " where name = ?",
            [now, success, check.outcome, _memo_text(check.memo),
             records, changed, now, name])
        if check.error:
            streak, failing = self._failing(name, now, check.error, check.structural, check.threshold)
            new_events += failing
        elif streak or since is not None or last_error is not None:  # else nothing to clear
            self.conn.execute("update sources set last_error = null, consecutive_failures = 0,"
                              " failing_since = null where name = ?", [name])
            streak = 0
        self._log_check(name, now, check.duration, check.outcome, check.bytes, check.requests,
                        check.not_modified, records, len(new_events), check.error)
        # Not counted now (no part parsed): the update above left the stored count as it was.
        return new_events, stored_records if records is None else records, streak or 0

    def _known_event(self, event_id: str) -> bool:
        return self.conn.execute("select 1 from events where id = ?", [event_id]).fetchone() is not None

    def prune_documents(self, older_than: str) -> int:
        """Forget documents (validators and snapshots) no source has fetched since `older_than`,
        such as the days that have left a look-back window; return how many."""
        def work() -> int:
            self.conn.execute("delete from snapshots where rowid in (select s.rowid from snapshots s join documents d"
                              " on d.source = s.source and d.key = s.doc_key where d.checked_at < ?)", [older_than])
            return self.conn.execute("delete from documents where checked_at < ?", [older_than]).rowcount
        return self._write(work)

    def prune_checks(self, older_than: str) -> int:
        """Delete check-log rows started before `older_than`; return how many."""
        return self._write(lambda: self.conn.execute("delete from checks where started_at < ?",
                                                   [older_than]).rowcount)


def _memo_text(memo: dict[str, Any]) -> str | None:
    return json.dumps(memo, ensure_ascii=False) if memo else None


_LOG_CHECK = ("insert into checks (source, started_at, duration, outcome, bytes, requests, not_modified,"
              " records, events, error) values (?,?,?,?,?,?,?,?,?,?)")
"""One row of the check log."""

_STANDING = ("select consecutive_failures, failing_since, last_error, records from sources"
             " where name = ? and kind = ?")
"""A source's failure standing and record count, when it is registered with this kind."""


def _stored(row: dict[str, Any]) -> Stored:
    record = Record.trusted(row["key"], json.loads(row["fields"] or "{}"), row["title"], row["url"])
    return Stored(record, row["missing"] or 0, row["removed_at"] is not None)


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
    return open_state(config.state_path, config.keep_snapshots, readonly=readonly, channels=config.channels)
