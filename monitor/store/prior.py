"""What the state held of sources before their check: rows, validators and missing records, read per cycle or per source."""

from __future__ import annotations

from typing import Any, Iterable

from monitor.diff import Stored
from monitor.documents import DocState
from monitor.store.state import State

BATCH = 500
"""Sources read per query (SQLite allows 999 parameters in its oldest builds)."""


class Prior:
    """The reads a check starts with. `Prior(state)` asks the database once per source and
    question; `Prior.of_cycle(state, names)` reads the rows, validators and parts with missing
    records of every named source in one query per table (per 500 sources), for a cycle that
    checks them all at once.
    Within a cycle only a source's own check writes its rows, so reading them first is the same."""

    def __init__(self, state: State):
        self.state = state
        self._rows: dict[str, dict[str, Any]] | None = None
        self._documents: dict[str, dict[str, DocState]] = {}
        self._missing: set[tuple[str, str]] = set()

    @classmethod
    def of_cycle(cls, state: State, names: Iterable[str]) -> "Prior":
        prior = cls(state)
        prior._rows = {}
        names = list(names)
        for start in range(0, len(names), BATCH):  # within SQLite's limit on parameters
            chosen = names[start:start + BATCH]
            among = f"in ({','.join('?' * len(chosen))})"
            prior._rows.update((row["name"], row) for row in state.rows(
                f"select * from sources where name {among}", chosen))
            prior._documents.update(state.documents_of(chosen))
            prior._missing.update((row["source"], row["part"]) for row in state.rows(
                "select distinct source, part from records where missing > 0 and removed_at is null"
                f" and source {among}", chosen))
        return prior

    def row(self, source: str) -> dict[str, Any] | None:
        """The source's row in `sources`, None before its first check."""
        if self._rows is None:
            return self.state.source_row(source)
        return self._rows.get(source)

    def documents(self, source: str) -> dict[str, DocState]:
        """The validators of the documents the source fetched before, by document key."""
        if self._rows is None:
            return self.state.documents(source)
        return self._documents.get(source, {})

    def missing(self, source: str, part: str) -> dict[str, Stored]:
        """The part's records that earlier checks missed and that are not removed yet."""
        if self._rows is None or (source, part) in self._missing:
            return self.state.stored(source, part, only_missing=True)
        return {}
