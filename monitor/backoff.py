"""How long a source waits between checks: its interval, stretched while it keeps failing."""

from __future__ import annotations

from typing import Any

from .clock import later

MAX_BACKOFF = 4
"""A failing source waits at most this many intervals between checks."""


def backoff_factor(failures: int) -> int:
    """1 when healthy; 2 after one failure, then 4 (capped)."""
    return min(MAX_BACKOFF, 2 ** failures) if failures else 1


def next_check_at(interval: float, row: dict[str, Any] | None) -> str | None:
    """About when a source is next checked, from its row of the sources table (None: not yet checked)."""
    if not row or not row.get("last_check"):
        return None
    return later(row["last_check"], interval * backoff_factor(row.get("consecutive_failures") or 0))
