"""Record-level diff of one part of a source against its stored state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from monitor.records import Record

REMOVE_AFTER_MISSES = 2
"""A record counts as removed only after this many consecutive successful checks without it."""


@dataclass
class Stored:
    """A record as the database holds it."""

    record: Record
    missing: int = 0
    removed: bool = False


@dataclass
class Change:
    """One record that was added, changed or removed; `fields` maps name -> (old, new)."""

    kind: Literal["added", "changed", "removed"]
    key: str
    old: Record | None
    new: Record | None
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass
class PartDiff:
    """The changes in one part and the row updates that record them."""

    changes: list[Change] = field(default_factory=list)
    upserts: list[Record] = field(default_factory=list)
    """Records that are new, changed or back after being missing (written with missing=0)."""
    missing: dict[str, int] = field(default_factory=dict)
    """Keys now missing, with their new miss count (not yet removed)."""
    removed: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    """Every key present in this fetch (their last_seen moves)."""


def field_changes(old: Record, new: Record) -> dict[str, tuple[str | None, str | None]]:
    """Fields whose (whitespace-normalised) values differ, plus title and url."""
    changes = {}
    for name in sorted(set(old.fields) | set(new.fields)):
        before, after = old.fields.get(name), new.fields.get(name)
        if before != after:
            changes[name] = (before, after)
    if old.title != new.title:
        changes["title"] = (old.title, new.title)
    if old.url != new.url:
        changes["url"] = (old.url, new.url)
    return changes


def diff_part(stored: dict[str, Stored], fresh: list[Record]) -> PartDiff:
    """Compare a part's fresh records with what is stored for it."""
    result = PartDiff()
    present: dict[str, Record] = {}
    for record in fresh:
        present.setdefault(record.key, record)
    for key, record in present.items():
        result.seen.append(key)
        old = stored.get(key)
        if old is None or old.removed:
            result.changes.append(Change("added", key, None, record))
            result.upserts.append(record)
            continue
        changes = field_changes(old.record, record)
        if changes:
            result.changes.append(Change("changed", key, old.record, record, changes))
        if changes or old.missing:
            result.upserts.append(record)
    for key, old in stored.items():
        if key in present or old.removed:
            continue
        miss(key, old, result)
    return result


def miss(key: str, old: Stored, result: PartDiff) -> None:
    """Count one more miss for `key` in `result`; past the threshold it is a removal."""
    misses = old.missing + 1
    if misses >= REMOVE_AFTER_MISSES:
        result.removed.append(key)
        result.changes.append(Change("removed", key, old.record, None))
    else:
        result.missing[key] = misses
