"""When a source is next checked: its interval with jitter, or a quick retry after a failure."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from monitor.settings import SWEEP_MEMO, SourceConfig

MAX_DOUBLINGS = 30
"""Retry waits stop doubling here (the interval caps them long before)."""


def share(name: str, stamp: str) -> float:
    """A fraction in [0, 1) fixed by a source and the time of its last check.

    It stands in for a random draw: each source and each check gets its own share of the
    jitter, yet the daemon and `status` compute the same next time from the database."""
    digest = hashlib.blake2b(f"{name}\n{stamp}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2 ** 64


def retry_delay(failures: int, interval: float, base: float) -> float:
    """The wait before the next try after `failures` failed checks in a row, before jitter:
    base, 2×base, 4×base … and never more than the interval."""
    if failures < 1:
        return interval
    return min(interval, base * 2 ** min(failures - 1, MAX_DOUBLINGS))


def wait_after(source: SourceConfig, failed: bool, failures: int, fraction: float) -> float:
    """Seconds from the start of a check to the next one.

    A healthy (or partly failed) source waits its interval plus `fraction` of its jitter.
    After a failed check the source retries after `retry_delay`, plus `fraction` of a tenth
    of that delay (at most the jitter), while that stays shorter than the regular wait."""
    jitter = min(source.jitter, source.interval)
    regular = source.interval + fraction * jitter
    if not failed:
        return regular
    delay = retry_delay(failures, source.interval, source.retry_base)
    return min(regular, delay + fraction * min(jitter, delay / 10))


def next_check(source: SourceConfig, row: dict[str, Any] | None) -> datetime | None:
    """When `source` is next due, from its database row (the time may be past: overdue);
    None when it was never checked. The failure streak lives in the row, so a restart
    neither resets the retry schedule nor hammers a struggling portal."""
    if not row or not row.get("last_check"):
        return None
    stamp = row["last_check"]
    if row.get("memo") and SWEEP_MEMO in row["memo"]:  # a fast path's checks do not move the sweep
        stamp = json.loads(row["memo"]).get(SWEEP_MEMO) or stamp
    failed = row.get("last_outcome") == "failed"
    wait = wait_after(source, failed, row.get("consecutive_failures") or 0, share(source.name, stamp))
    return datetime.fromisoformat(stamp) + timedelta(seconds=wait)
