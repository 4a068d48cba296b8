"""The clock: now, today in a time zone, and timestamps as ISO 8601 UTC text that sorts as it compares."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone, tzinfo

NOW_ENV = "LEGAL_MONITOR_NOW"
"""An ISO 8601 moment with offset that stands for "now" in calendar decisions (which days a
source polls). For tests: it pins the date so that a run crossing midnight cannot straddle it."""


def now() -> datetime:
    """The current moment, aware; $LEGAL_MONITOR_NOW when set."""
    pinned = os.environ.get(NOW_ENV)
    if pinned:
        moment = datetime.fromisoformat(pinned)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def today(zone: tzinfo) -> date:
    """The calendar date now in `zone`."""
    return now().astimezone(zone).date()


def iso(moment: datetime) -> str:
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat(timespec="milliseconds")


def utcnow() -> str:
    """Now, e.g. "2026-11-26T07:23:40.123+00:00" (the text of `iso`)."""
    return iso(datetime.now(timezone.utc))


def later(stamp: str, seconds: float) -> str:
    """`stamp` moved by `seconds` (negative for earlier)."""
    return iso(datetime.fromisoformat(stamp) + timedelta(seconds=seconds))


def window_end(stamp: str, window: float) -> str:
    """The end of the `window`-second slot (aligned to the epoch) that `stamp` falls in."""
    seconds = datetime.fromisoformat(stamp).timestamp()
    return iso(datetime.fromtimestamp((seconds // window) * window + window, timezone.utc))
