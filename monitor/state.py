"""The SQLite state: schema and migrations in one place, and every read and write of it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import sqlite_utils

from .clock import later, window_end
from .context import DocState, DocUpdate
from .diff import PartDiff, Stored
from .errors import StateError
from .events import Event, Treaty, ops_event
from .flood import hold_flood
from .records import Record

SQLITE_MAGIC = b"SQLite format 3\x00"


def _v1(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["sources"].create({
        "name": str, "kind": str, "created_at": str, "last_check": str, "last_success": str,
        "last_change": str, "last_outcome": str, "consecutive_failures": int, "last_error": str,
        "records": int, "memo": str,
    }, pk="name", defaults={"consecutive_failures": 0, "records": 0})
    db["documents"].create({
        "source": str, "key": str, "url": str, "etag": str, "last_modified": str, "hash": str,
        "checked_at": str, "changed_at": str,
    }, pk=("source", "key"))
    db["snapshots"].create({
        "id": int, "source": str, "doc_key": str, "hash": str, "fetched_at": str, "body": bytes,
    }, pk="id")
    db["snapshots"].create_index(["source", "doc_key", "id"])
    db["parts"].create({"source": str, "part": str, "items": int, "checked_at": str},
                       pk=("source", "part"))
    db["records"].create({
        "source": str, "key": str, "part": str, "title": str, "url": str, "fields": str,
        "first_seen": str, "last_seen": str, "missing": int, "removed_at": str,
    }, pk=("source", "key"), defaults={"missing": 0})
    db["records"].create_index(["source", "part"])
    db["events"].create({
        "id": str, "type": str, "source": str, "key": str, "subject": str, "title": str,
        "summary": str, "url": str, "date": str, "effective_date": str, "treaty": str,
        "details": str, "detected_at": str,
    }, pk="id")
    db["events"].create_index(["detected_at"])
    db["events"].create_index(["source", "detected_at"])
    db["checks"].create({
        "id": int, "source": str, "started_at": str, "duration": float, "outcome": str,
        "bytes": int, "requests": int, "not_modified": int, "records": int, "events": int,
        "error": str,
    }, pk="id")
    db["checks"].create_index(["started_at"])
    db["checks"].create_index(["source", "id"])


def _v2(db: sqlite_utils.Database) -> None:
    """The delivery outbox, and the start of a source's current failure streak."""
    db["deliveries"].create({
        "id": str, "event_id": str, "channel": str, "status": str, "attempts": int, "created_at": str,
        "expires_at": str, "next_attempt_at": str, "claimed_until": str, "sent_at": str,
        "last_status": int, "last_error": str,
    }, pk="id", defaults={"attempts": 0})
    db["deliveries"].create_index(["status", "next_attempt_at"])
    db["deliveries"].create_index(["event_id", "channel"], unique=True)
    db["sources"].add_column("failing_since", str)


def _v3(db: sqlite_utils.Database) -> None:
    """Events a flooded check held back from every channel: null, held, released or dropped."""
    db["events"].add_column("hold", str)
    db["events"].create_index(["hold", "source"])


def _v4(db: sqlite_utils.Database) -> None:
    """The treaty catalogue (titles the depositaries' lists give), and each event's story."""
    db["treaties"].create({
        "id": str, "catalogue": str, "number": str, "title_en": str, "url": str, "title_fr": str,
        "title_ru": str, "short_en": str, "short_fr": str, "short_ru": str, "source": str, "updated_at": str,
    }, pk="id")
    db["events"].add_column("story", str)
    db["events"].create_index(["story"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4]
"""Migration N+1 takes a database from schema version N to N+1. Append; never edit."""
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass
class SuccessfulCheck:
    """Everything one successful check learned, written by `State.record_success` at once."""

    source: str
    kind: str
    started_at: str
    duration: float
    outcome: str
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


Router = Callable[[Event], list[Any]]
"""Given an event, the channels (ChannelConfig) that want it."""


def no_route(event: Event) -> list[Any]:
    return []


class State:
    """The state database. Open it with `open_state`."""

    def __init__(self, db: sqlite_utils.Database, path: Path, keep_snapshots: int = 20):
        self.db = db
        self.conn = db.conn
        self.path = path
        self.keep_snapshots = keep_snapshots

    def close(self) -> None:
        self.db.close()

    # --- reads -------------------------------------------------------------------------

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        try:
            cursor = self.conn.execute(sql, list(params))
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: cannot read the state database: {exc}") from None
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def source_row(self, name: str) -> dict[str, Any] | None:
        rows = self._rows("select * from sources where name = ?", [name])
        return rows[0] if rows else None

    def source_rows(self) -> dict[str, dict[str, Any]]:
        return {row["name"]: row for row in self._rows("select * from sources")}

    def documents(self, source: str) -> dict[str, DocState]:
        rows = self._rows("select key, etag, last_modified, hash from documents where source = ?", [source])
        return {r["key"]: DocState(r["etag"], r["last_modified"], r["hash"]) for r in rows}

    def snapshot_body(self, source: str, doc_key: str) -> bytes | None:
        rows = self._rows("select body from snapshots where source = ? and doc_key = ? order by id desc limit 1",
                          [source, doc_key])
        return zlib.decompress(rows[0]["body"]) if rows else None

    def part_items(self, source: str, part: str) -> int | None:
        rows = self._rows("select items from parts where source = ? and part = ?", [source, part])
        return rows[0]["items"] if rows else None

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

    def _write(self, work: Callable[[], Any]) -> Any:
        try:
            with self.db.atomic():
                return work()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: cannot write the state database: {exc}") from None

    def _ensure_source(self, name: str, kind: str, now: str) -> None:
        self.conn.execute("insert or ignore into sources (name, kind, created_at) values (?, ?, ?)", [name, kind, now])
        self.conn.execute("update sources set kind = ? where name = ?", [kind, name])

    def _log_check(self, source: str, started_at: str, duration: float, outcome: str, bytes_: int,
                   requests: int, not_modified: int, records: int | None, events: int, error: str | None) -> None:
        self.conn.execute(
            "insert into checks (source, started_at, duration, outcome, bytes, requests, not_modified,"
            " records, events, error) values (?,?,?,?,?,?,?,?,?,?)",
            [source, started_at, round(duration, 4), outcome, bytes_, requests, not_modified, records, events, error])

    def record_failure(self, source: str, kind: str, started_at: str, duration: float, error: str,
                       bytes_: int = 0, requests: int = 0, *, structural: bool = False,
                       threshold: int = 3, route: Router = no_route) -> tuple[int, list[Event]]:
        """Log a failed check; records and documents stay as they were. Returns the failure
        streak and the operational events it raised (see `_failing`)."""
        def work() -> tuple[int, list[Event]]:
            self._ensure_source(source, kind, started_at)
            self.conn.execute("update sources set last_check = ?, last_outcome = 'failed' where name = ?",
                              [started_at, source])
            streak, new = self._failing(source, started_at, error, structural, threshold, route)
            self._log_check(source, started_at, duration, "failed", bytes_, requests, 0, None, len(new), error)
            return streak, new
        return self._write(work)

    def _failing(self, source: str, now: str, error: str, structural: bool, threshold: int,
                 route: Router) -> tuple[int, list[Event]]:
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
                                    f"{source} failed {streak} checks in a row: {error}", now,
                                    {"error": error, "failing_since": since, "failures": streak}))
        return streak, [e for e in events if self._add_event(e, route, now)]

    def record_success(self, check: SuccessfulCheck, route: Router = no_route) -> tuple[list[Event], int, int]:
        """Write all a check learned in one transaction, with one pending delivery per new
        event and channel that wants it (the outbox). A check with `error` set (some parts
        failed) also counts as a failure. Returns the new events, the number of current
        records and the failure streak."""
        return self._write(lambda: self._record_success(check, route))

    def _add_event(self, event: Event, route: Router, now: str) -> bool:
        """Insert an event unless its id is known; queue its deliveries unless it is held.
        True when new."""
        cursor = self.conn.execute(
            "insert or ignore into events (id, type, source, key, subject, title, summary, url, date,"
            " effective_date, treaty, details, detected_at, hold, story)"
            " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [event.id, event.type, event.source, event.key, event.subject, event.title, event.summary,
             event.url, event.date, event.effective_date,
             json.dumps(event.treaty.__dict__, ensure_ascii=False) if event.treaty else None,
             json.dumps(event.details, ensure_ascii=False, sort_keys=True), event.detected_at, event.hold,
             event.story])
        if not cursor.rowcount:
            return False
        if event.hold is None:
            self.queue_deliveries(event, route, now)
        return True

    def queue_deliveries(self, event: Event, route: Router, now: str) -> None:
        """One pending delivery of `event` per channel that wants it (within a write)."""
        for channel in route(event):
            digest = channel.options.get("digest")
            due = window_end(now, digest) if digest else now
            self.conn.execute(
                "insert or ignore into deliveries (id, event_id, channel, status, attempts, created_at,"
                " expires_at, next_attempt_at) values (?,?,?,'pending',0,?,?,?)",
                [delivery_id(event.id, channel.name), event.id, channel.name, now,
                 later(due, channel.max_age), due])
        return True

    def _record_success(self, check: SuccessfulCheck, route: Router) -> tuple[list[Event], int, int]:
        now, name = check.started_at, check.source
        self._ensure_source(name, check.kind, now)
        ops = []
        streak, since = self.conn.execute("select consecutive_failures, failing_since from sources where name = ?",
                                          [name]).fetchone()
        if since and streak >= check.threshold and not check.error:
            ops.append(ops_event("source_recovered", name, since, f"{name} recovered after {streak} failed checks",
                                 now, {"failing_since": since, "failures": streak}))
        for doc in check.documents:
            self.conn.execute(
                "insert into documents (source, key, url, etag, last_modified, hash, checked_at, changed_at)"
                " values (?,?,?,?,?,?,?,?) on conflict (source, key) do update set url = excluded.url,"
                " etag = excluded.etag, last_modified = excluded.last_modified, hash = excluded.hash,"
                " checked_at = excluded.checked_at,"
                " changed_at = case when documents.hash = excluded.hash then documents.changed_at"
                " else excluded.changed_at end",
                [name, doc.key, doc.url, doc.etag, doc.last_modified, doc.hash, now, now])
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
                      if self._add_event(event, route, now)]
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
            [now, success, check.outcome, json.dumps(check.memo, ensure_ascii=False) if check.memo else None,
             records, changed, now, name])
        if check.error:
            streak, failing = self._failing(name, now, check.error, check.structural, check.threshold, route)
            new_events += failing
        else:
            streak = 0
            self.conn.execute("update sources set last_error = null, consecutive_failures = 0,"
                              " failing_since = null where name = ?", [name])
        self._log_check(name, now, check.duration, check.outcome, check.bytes, check.requests,
                        check.not_modified, records, len(new_events), check.error)
        if records is None:
            records = self.conn.execute("select records from sources where name = ?", [name]).fetchone()[0]
        return new_events, records, streak

    def _known_event(self, event_id: str) -> bool:
        return self.conn.execute("select 1 from events where id = ?", [event_id]).fetchone() is not None

    # --- the delivery outbox -----------------------------------------------------------

    def due_deliveries(self, now: str, channels: list[str], claim_until: str) -> list[tuple[dict[str, Any], Event]]:
        """Claim and return pending deliveries due by `now` for the given channels, oldest first.

        A claim keeps a second process (a `check` beside the daemon) from sending the same
        delivery at the same time; an expired claim (a crash) is taken over."""
        if not channels:
            return []
        marks = ",".join("?" * len(channels))
        def work() -> list[tuple[dict[str, Any], Event]]:
            rows = self._rows(
                "select d.*, e.id as e_id, e.type, e.source, e.key, e.subject, e.title, e.summary, e.url, e.date,"
                " e.effective_date, e.treaty, e.details, e.detected_at, e.story from deliveries d join events e"
                f" on e.id = d.event_id where d.status = 'pending' and d.channel in ({marks})"
                " and d.next_attempt_at <= ? and (d.claimed_until is null or d.claimed_until < ?)"
                " order by d.created_at, d.rowid", [*channels, now, now])
            self.conn.executemany("update deliveries set claimed_until = ? where id = ?",
                                  [[claim_until, row["id"]] for row in rows])
            return [(row, row_to_event({**row, "id": row["e_id"]})) for row in rows]
        return self._write(work)

    def release_claims(self) -> int:
        """Forget every claim on pending deliveries (the daemon at start: holders are gone)."""
        return self._write(lambda: self.conn.execute(
            "update deliveries set claimed_until = null where status = 'pending' and claimed_until is not null"
        ).rowcount)

    def delivery_sent(self, delivery: str, now: str, status: int | None, detail: str) -> None:
        self._write(lambda: self.conn.execute(
            "update deliveries set status = 'sent', sent_at = ?, attempts = attempts + 1, last_status = ?,"
            " last_error = null, claimed_until = null where id = ? and status = 'pending'",
            [now, status, delivery]))

    def delivery_retry(self, delivery: str, next_at: str, status: int | None, error: str) -> None:
        self._write(lambda: self.conn.execute(
            "update deliveries set attempts = attempts + 1, next_attempt_at = ?, last_status = ?,"
            " last_error = ?, claimed_until = null where id = ? and status = 'pending'",
            [next_at, status, error, delivery]))

    def delivery_failed(self, delivery: str, now: str, status: int | None, error: str,
                        route: Router = no_route) -> list[Event]:
        """Mark a delivery failed for good and raise one `delivery_failed` operational event
        (never about a delivery of a `delivery_failed` event, so failures cannot loop)."""
        def work() -> list[Event]:
            self.conn.execute(
                "update deliveries set status = 'failed', attempts = attempts + 1, last_status = ?,"
                " last_error = ?, claimed_until = null where id = ? and status = 'pending'",
                [status, error, delivery])
            row = self._rows("select d.channel, d.event_id, e.type, e.source, e.title from deliveries d"
                             " join events e on e.id = d.event_id where d.id = ?", [delivery])
            if not row or row[0]["type"] == "delivery_failed":
                return []
            info = row[0]
            event = ops_event("delivery_failed", info["source"], delivery,
                              f"delivery of {info['type']} event to channel {info['channel']} failed: {error}",
                              now, {"channel": info["channel"], "event_id": info["event_id"], "error": error,
                                    "event_title": info["title"]})
            return [event] if self._add_event(event, route, now) else []
        return self._write(work)

    def deliveries(self, status: str | None = None) -> list[dict[str, Any]]:
        sql = ("select d.*, e.type, e.source, e.subject, e.title from deliveries d join events e"
               " on e.id = d.event_id")
        params: list[Any] = []
        if status:
            sql += " where d.status = ?"
            params.append(status)
        return self._rows(sql + " order by d.created_at desc, d.rowid desc", params)

    def retry_deliveries(self, ids: list[str] | None, now: str, max_age: dict[str, float]) -> int:
        """Put failed deliveries (all when `ids` is None) back in the queue, due now."""
        def work() -> int:
            rows = self._rows("select id, channel from deliveries where status = 'failed'")
            chosen = [r for r in rows if ids is None or r["id"] in ids]
            self.conn.executemany(
                "update deliveries set status = 'pending', next_attempt_at = ?, expires_at = ?,"
                " claimed_until = null where id = ?",
                [[now, later(now, max_age.get(r["channel"], 3 * 86400.0)), r["id"]] for r in chosen])
            return len(chosen)
        return self._write(work)

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


def delivery_id(event_id: str, channel: str) -> str:
    """The same event to the same channel is always the same delivery."""
    return "dl_" + hashlib.sha256(f"{event_id}\x1f{channel}".encode()).hexdigest()[:24]


def _stored(row: dict[str, Any]) -> Stored:
    record = Record.trusted(row["key"], json.loads(row["fields"] or "{}"), row["title"], row["url"])
    return Stored(record, row["missing"] or 0, row["removed_at"] is not None)


def row_to_event(row: dict[str, Any]) -> Event:
    treaty = json.loads(row["treaty"]) if row.get("treaty") else None
    return Event(
        id=row["id"], type=row["type"], source=row["source"], key=row["key"], title=row["title"],
        subject=row["subject"], summary=row["summary"], url=row["url"], date=row["date"],
        effective_date=row["effective_date"], treaty=Treaty(**treaty) if treaty else None,
        details=json.loads(row["details"] or "{}"), detected_at=row["detected_at"], hold=row.get("hold"),
        story=row.get("story"))


def open_state(path: str | Path, keep_snapshots: int = 20) -> State:
    """Open (or create) the state database, run migrations; raise StateError if unusable."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError(f"cannot create the state folder {path.parent}: {exc.strerror or exc}") from None
    if path.exists():
        if path.is_dir():
            raise StateError(f"{path}: is a folder, not a database file")
        try:
            with path.open("rb") as handle:
                head = handle.read(16)
        except OSError as exc:
            raise StateError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if head and head != SQLITE_MAGIC:
            raise StateError(f"{path}: not a SQLite database (refusing to touch it; move it aside or "
                             "point [state] path elsewhere)")
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        db = sqlite_utils.Database(conn)
        db.execute("pragma journal_mode = wal")
        db.execute("pragma synchronous = normal")
        db.execute("pragma foreign_keys = on")
        _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "readonly" in message or "unable to open" in message:
            raise StateError(f"{path}: cannot write the state database: {message}") from None
        raise StateError(f"{path}: the state database is corrupt or unreadable ({message}); "
                         "restore a backup or move it aside") from None
    return State(db, path, keep_snapshots)


def _migrate(db: sqlite_utils.Database, path: Path) -> None:
    tables = set(db.table_names())
    if tables and "meta" not in tables:
        raise StateError(f"{path}: a SQLite database, but not a legal-monitor state database (refusing to touch it)")
    version = 0
    if "meta" in tables:
        row = db.execute("select value from meta where key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise StateError(f"{path}: schema version {version} is newer than this legal-monitor knows "
                         f"({SCHEMA_VERSION}); upgrade legal-monitor")
    if version == SCHEMA_VERSION:
        return
    with db.atomic():
        for migration in MIGRATIONS[version:]:
            migration(db)
        db.execute("insert or replace into meta (key, value) values ('schema_version', ?)", [str(SCHEMA_VERSION)])
