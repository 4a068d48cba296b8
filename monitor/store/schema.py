"""The state database's schema: its migrations in one place, and the version check that runs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from monitor.errors import StateError
from monitor.store.database import atomic

if TYPE_CHECKING:  # loaded only to migrate: sqlite-utils takes a while to import
    import sqlite_utils


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


def _v5(db: sqlite_utils.Database) -> None:
    """Indexes for the dashboard and feed filters: by type, by state (any case), by key (treaty)."""
    db.execute("create index if not exists events_type_detected on events (type, detected_at)")
    db.execute("create index if not exists events_subject_detected on events (subject collate nocase, detected_at)")
    db.execute("create index if not exists events_key on events (key)")


def _v6(db: sqlite_utils.Database) -> None:
    """An index of the records that checks are missing: a cycle asks which parts hold any, and
    without it reads every record of every source it checks to find the few."""
    db.execute("create index if not exists records_missing on records (source, part)"
               " where missing > 0 and removed_at is null")


def _v7(db: sqlite_utils.Database) -> None:
    """Each event's date as the source wrote it, beside the ISO `date`."""
    db["events"].add_column("date_text", str)


def _v8(db: sqlite_utils.Database) -> None:
    """An index of the news events of each story, newest first: a message lists the newest 20
    and counts the rest without reading the held or dropped ones."""
    db.execute("create index if not exists events_story_news on events (story, detected_at)"
               " where coalesce(hold, 'released') = 'released'")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8]
"""Migration N+1 takes a database from schema version N to N+1. Append; never edit."""
SCHEMA_VERSION = len(MIGRATIONS)


def version_of(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of a legal-monitor database (0 when empty); StateError if foreign."""
    try:
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
        if tables and "meta" not in tables:
            raise StateError(f"{path}: a SQLite database, but not a legal-monitor state database "
                             "(refusing to touch it)")
        row = conn.execute("select value from meta where key = 'schema_version'").fetchone() if tables else None
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path}: the state database is corrupt or unreadable ({exc}); "
                         "restore a backup or move it aside") from None
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise StateError(f"{path}: schema version {version} is newer than this legal-monitor knows "
                         f"({SCHEMA_VERSION}); upgrade legal-monitor")
    return version


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = version_of(conn, path)
    if version == SCHEMA_VERSION:
        return
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    with atomic(conn):
        for migration in MIGRATIONS[version:]:
            migration(db)
        db.execute("insert or replace into meta (key, value) values ('schema_version', ?)", [str(SCHEMA_VERSION)])
