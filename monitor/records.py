"""Records: what a source extracts from a portal, one per stable key."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from monitor.text import strip_controls


def clean_text(value: Any) -> str | None:
    """Collapse whitespace (any Unicode space: NBSP, tabs, CR/LF), drop control characters (ESC,
    BEL, NUL, …) and strip; empty becomes None. Every record field of every kind passes here."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(strip_controls(value).split()) or None


@dataclass
class Record:
    """One item of a source: a stable key, flat text fields, and an optional title and URL."""

    key: str
    fields: dict[str, str | None] = field(default_factory=dict)
    title: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        self.key = clean_text(self.key) or ""
        self.fields = {str(k): clean_text(v) for k, v in self.fields.items()}
        self.title = clean_text(self.title)
        self.url = clean_text(self.url)

    @classmethod
    def trusted(cls, key: str, fields: dict[str, str | None], title: str | None, url: str | None) -> "Record":
        """A record from values that are already clean (read back from the database)."""
        record = cls.__new__(cls)
        record.key, record.fields, record.title, record.url = key, fields, title, url
        return record

    def fingerprint(self) -> str:
        """A hash of the record's content, independent of field order."""
        blob = json.dumps([self.fields, self.title, self.url], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def text(self) -> str:
        """All of the record's words, for keyword matching."""
        return " ".join(v for v in [self.title, *self.fields.values()] if v)
