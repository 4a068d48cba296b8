"""What the database keeps of each fetched document: its validators, and a check's update of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DocState:
    """What the database remembers of one fetched document (one URL of one source)."""

    etag: str | None = None
    last_modified: str | None = None
    hash: str | None = None
    checked_at: str | None = None
    """When a check last noted it (ISO 8601 UTC): pruning forgets documents not noted for long."""


@dataclass
class DocUpdate:
    """A document's new validators and, when changed, its body for the snapshot table."""

    key: str
    url: str
    etag: str | None
    last_modified: str | None
    hash: str
    body: bytes | None
    part: str | None = None
    """The part being collected when it was fetched; dropped if that part fails."""
