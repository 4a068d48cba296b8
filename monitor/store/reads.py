"""Reads of the state: sources, documents, snapshots, parts, records and events."""

from __future__ import annotations

import json
import zlib
from typing import Any

from monitor.diff import Stored
from monitor.documents import DocState
from monitor.events import Event
from monitor.records import Record
from monitor.store.database import Database
from monitor.store.event_rows import row_to_event


def source_row(db: Database, name: str) -> dict[str, Any] | None:
    """The source's row in `sources`, None before its first check."""
    return next(iter(db.rows("select * from sources where name = ?", [name])), None)


def source_rows(db: Database) -> dict[str, dict[str, Any]]:
    """Every source's row, by name."""
    return {row["name"]: row for row in db.rows("select * from sources")}


def documents_of(db: Database, sources: list[str]) -> dict[str, dict[str, DocState]]:
    """The validators of the documents each source fetched before, by source and key."""
    found: dict[str, dict[str, DocState]] = {}
    for r in db.rows("select source, key, etag, last_modified, hash, checked_at from documents"
                     f" where source in ({','.join('?' * len(sources))})", sources):
        found.setdefault(r["source"], {})[r["key"]] = DocState(r["etag"], r["last_modified"],
                                                               r["hash"], r["checked_at"])
    return found


def snapshot_body(db: Database, source: str, doc_key: str) -> bytes | None:
    """The body of the document's latest snapshot, None when none is kept."""
    rows = db.rows("select body from snapshots where source = ? and doc_key = ?"
                   " order by id desc limit 1", [source, doc_key])
    return zlib.decompress(rows[0]["body"]) if rows else None


def part_items(db: Database, source: str, part: str) -> int | None:
    """The items the part's last parse found, None for a part never parsed."""
    rows = db.rows("select items from parts where source = ? and part = ?", [source, part])
    return rows[0]["items"] if rows else None


def stored(db: Database, source: str, part: str, only_missing: bool = False) -> dict[str, Stored]:
    """The part's stored records by key (with `only_missing`, those earlier checks missed and
    that are not removed yet)."""
    sql = "select * from records where source = ? and part = ?"
    if only_missing:
        sql += " and missing > 0 and removed_at is null"
    return {row["key"]: stored_record(row) for row in db.rows(sql, [source, part])}


def records(db: Database, source: str, include_removed: bool = False) -> list[Stored]:
    """The source's records by key (current ones only, unless `include_removed`)."""
    sql = "select * from records where source = ?"
    if not include_removed:
        sql += " and removed_at is null"
    return [stored_record(row) for row in db.rows(sql + " order by key", [source])]


def events(db: Database, since: str | None = None, types: list[str] | None = None,
           sources: list[str] | None = None, limit: int | None = None) -> list[Event]:
    """Stored events, newest first, detected since `since`, of `types` and `sources` when given."""
    sql, params = "select * from events where 1=1", []
    if since:
        sql += " and detected_at >= ?"
        params.append(since)
    sql, params = narrowed(sql, params, type=types, source=sources)
    sql += " order by detected_at desc, rowid desc"
    if limit:
        sql += " limit ?"
        params.append(limit)
    return [row_to_event(row) for row in db.rows(sql, params)]


def narrowed(sql: str, params: list[Any], **columns: list[str] | None) -> tuple[str, list[Any]]:
    """`sql` (ending in a where clause) narrowed to the rows whose column holds one of the
    values given for it; a column given no values is not narrowed."""
    for column, values in columns.items():
        if values:
            sql += f" and {column} in ({','.join('?' * len(values))})"
            params = [*params, *values]
    return sql, params


def stored_record(row: dict[str, Any]) -> Stored:
    """A row of `records` as the diff knows it."""
    record = Record.trusted(row["key"], json.loads(row["fields"] or "{}"), row["title"], row["url"])
    return Stored(record, row["missing"] or 0, row["removed_at"] is not None)
