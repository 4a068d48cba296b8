"""Checks that found nothing new, written many to a transaction instead of one each."""

from __future__ import annotations

import time
from typing import Any

from monitor.store.state import State, SuccessfulCheck

QUIET_BATCH = 200
"""Quiet checks written together at most; a cycle writes the rest when it ends."""

QUIET_WAIT = 5.0
"""Seconds a quiet check waits at most for others before they are written (checked as each arrives)."""


def is_quiet(check: SuccessfulCheck, row: dict[str, Any] | None) -> bool:
    """Whether writing `check` only notes that it ran: unchanged, no events, no records to
    write, no document body to keep, and no failure standing to clear (`row` is the source's
    row as the cycle began). Losing such a write in a crash costs nothing but its log line:
    the next check does the same again."""
    if not (check.outcome == "unchanged" and not check.events and check.error is None and row is not None
            and not row["consecutive_failures"] and row["failing_since"] is None and row["last_error"] is None):
        return False
    for doc in check.documents:
        if doc.body is not None:
            return False
    for _, items, diff in check.parts:
        if items is not None or diff.changes or diff.upserts or diff.missing or diff.removed:
            return False
    return True


class QuietWrites:
    """Quiet checks waiting to be written together (see `State.record_quiet`); a cycle
    `flush`es what is left when it ends, normally or not."""

    def __init__(self, state: State, limit: int = QUIET_BATCH, wait: float = QUIET_WAIT):
        self.state = state
        self.limit = limit
        self.wait = wait
        self.pending: list[SuccessfulCheck] = []
        self._since = 0.0

    def add(self, check: SuccessfulCheck) -> None:
        if not self.pending:
            self._since = time.monotonic()
        self.pending.append(check)
        if len(self.pending) >= self.limit or time.monotonic() - self._since >= self.wait:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if pending:
            self.state.record_quiet(pending)
