"""Writes of what a check learned (its source, documents, parts and records, its log line),
each inside the transaction its caller holds (see `State`)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass, field
from typing import Any

from monitor.diff import PartDiff
from monitor.documents import DocUpdate
from monitor.events import Event
from monitor.outcomes import CheckOutcome


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


LOG_CHECK = ("insert into checks (source, started_at, duration, outcome, bytes, requests,"
             " not_modified, records, events, error) values (?,?,?,?,?,?,?,?,?,?)")
"""One row of the check log."""

UPSERT_RECORD = (
    "insert into records (source, key, part, title, url, fields, first_seen, last_seen, missing,"
    " removed_at) values (?,?,?,?,?,?,?,?,0,null) on conflict (source, key) do update set"
    " part = excluded.part, title = excluded.title, url = excluded.url, fields = excluded.fields,"
    " last_seen = excluded.last_seen, missing = 0, removed_at = null,"
    " first_seen = case when records.removed_at is null then records.first_seen"
    " else excluded.first_seen end")
"""A record found now: new, changed, or back after it was removed (then first seen again now)."""

UPSERT_DOCUMENT = (
    "insert into documents (source, key, url, etag, last_modified, hash, checked_at, changed_at)"
    " values (?,?,?,?,?,?,?,?) on conflict (source, key) do update set url = excluded.url,"
    " etag = excluded.etag, last_modified = excluded.last_modified, hash = excluded.hash,"
    " checked_at = excluded.checked_at,"
    " changed_at = case when documents.hash = excluded.hash then documents.changed_at"
    " else excluded.changed_at end")
"""A document fetched now: its validators and hash, and when its hash last changed."""

Parts = list[tuple[str, int | None, PartDiff]]
"""(part name, items found or None when the part was unchanged, its diff), as a check found them."""


def ensure_source(conn: sqlite3.Connection, name: str, kind: str, now: str) -> None:
    """Register the source, or its new kind."""
    conn.execute("insert into sources (name, kind, created_at) values (?, ?, ?)"
                 " on conflict (name) do update set kind = excluded.kind", [name, kind, now])


def note_document(conn: sqlite3.Connection, source: str, doc: DocUpdate, now: str) -> None:
    """Store a fetched document's validators and hash (its body is kept apart, in snapshots)."""
    conn.execute(UPSERT_DOCUMENT,
                 [source, doc.key, doc.url, doc.etag, doc.last_modified, doc.hash, now, now])


def write_documents(conn: sqlite3.Connection, source: str, documents: list[DocUpdate], now: str,
                    keep_snapshots: int) -> None:
    """Note each fetched document, and keep a snapshot of each body read (the latest
    `keep_snapshots` of each document)."""
    for doc in documents:
        note_document(conn, source, doc, now)
        if doc.body is not None:
            conn.execute("insert into snapshots (source, doc_key, hash, fetched_at, body)"
                         " values (?,?,?,?,?)",
                         [source, doc.key, doc.hash, now, zlib.compress(doc.body, 6)])
            conn.execute("delete from snapshots where source = ? and doc_key = ? and id not in"
                         " (select id from snapshots where source = ? and doc_key = ?"
                         " order by id desc limit ?)",
                         [source, doc.key, source, doc.key, keep_snapshots])


def write_parts(conn: sqlite3.Connection, source: str, parts: Parts, now: str) -> bool:
    """Write each part's diff (see `write_part`); True when any part changed."""
    changed = False
    for part, items, diff in parts:
        write_part(conn, source, part, items, diff, now)
        changed = changed or bool(diff.changes)
    return changed


def write_part(conn: sqlite3.Connection, source: str, part: str, items: int | None,
               diff: PartDiff, now: str) -> None:
    """A part's items found (None: unchanged, not parsed) and its records: found, missed,
    removed, and every record present seen now."""
    if items is not None:
        conn.execute("insert into parts (source, part, items, checked_at) values (?,?,?,?)"
                     " on conflict (source, part) do update set items = excluded.items,"
                     " checked_at = excluded.checked_at", [source, part, items, now])
    conn.executemany(UPSERT_RECORD, [
        [source, r.key, part, r.title, r.url,
         json.dumps(r.fields, ensure_ascii=False, sort_keys=True), now, now]
        for r in diff.upserts])
    conn.executemany("update records set missing = ? where source = ? and key = ?",
                     [[n, source, key] for key, n in diff.missing.items()])
    conn.executemany("update records set removed_at = ?, missing = 0 where source = ? and key = ?",
                     [[now, source, key] for key in diff.removed])
    if items is not None:  # every record present in this fetch was seen now
        conn.execute("update records set last_seen = ? where source = ? and part = ?"
                     " and removed_at is null and missing = 0", [now, source, part])


def count_records(conn: sqlite3.Connection, source: str) -> int:
    """The source's current (not removed) records."""
    return conn.execute("select count(*) from records where source = ? and removed_at is null",
                        [source]).fetchone()[0]


def note_success(conn: sqlite3.Connection, check: SuccessfulCheck, records: int | None,
                 changed: bool) -> None:
    """Note the check on its source's row: when, its outcome and memo, the records counted
    (None: as stored) and, when `changed`, the time of the change."""
    now = check.started_at
    # A partly failed first check leaves the source in its baseline, so the parts that
    # failed are recorded silently when they work, instead of alerting all their history.
    success = None if check.error and check.first else now
    conn.execute(
        "update sources set last_check = ?, last_success = coalesce(?, last_success),"
        " last_outcome = ?, memo = ?, records = coalesce(?, records),"
        " last_change = case when ? then ? else last_change end where name = ?",
        [now, success, check.outcome, memo_text(check.memo), records, changed, now, check.source])


def note_failure(conn: sqlite3.Connection, source: str, now: str) -> None:
    """Note a failed check on its source's row (its failure is counted apart: see `standing`)."""
    conn.execute("update sources set last_check = ?, last_outcome = 'failed' where name = ?",
                 [now, source])


def note_quiet(conn: sqlite3.Connection, checks: list[SuccessfulCheck]) -> None:
    """Note checks that found nothing new: each one's run, log line, validators and memo."""
    conn.executemany(
        "update sources set last_check = ?, last_success = ?, last_outcome = ?, memo = ?"
        " where name = ?",
        [(c.started_at, c.started_at, c.outcome, memo_text(c.memo), c.source) for c in checks])
    conn.executemany(LOG_CHECK, [(c.source, c.started_at, round(c.duration, 4), c.outcome, c.bytes,
                                  c.requests, c.not_modified, None, 0, None) for c in checks])
    for check in checks:
        for doc in check.documents:
            note_document(conn, check.source, doc, check.started_at)


def log_check(conn: sqlite3.Connection, source: str, started_at: str, duration: float,
              outcome: str, bytes_: int, requests: int, not_modified: int, records: int | None,
              events: int, error: str | None) -> None:
    """Add the check's row to the check log."""
    conn.execute(LOG_CHECK, [source, started_at, round(duration, 4), outcome, bytes_, requests,
                             not_modified, records, events, error])


def prune_documents(conn: sqlite3.Connection, older_than: str) -> int:
    """Forget documents (validators and snapshots) not fetched since `older_than`; how many."""
    conn.execute("delete from snapshots where rowid in (select s.rowid from snapshots s"
                 " join documents d on d.source = s.source and d.key = s.doc_key"
                 " where d.checked_at < ?)", [older_than])
    return conn.execute("delete from documents where checked_at < ?", [older_than]).rowcount


def memo_text(memo: dict[str, Any]) -> str | None:
    """The memo as stored (None when empty)."""
    return json.dumps(memo, ensure_ascii=False) if memo else None
