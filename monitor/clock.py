"""Timestamps as ISO 8601 UTC text with milliseconds, which sort as they compare."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def utcnow() -> str:
    """Now, e.g. "2026-11-26T07:23:40.123+00:00"."""
    return iso(datetime.now(timezone.utc))


def later(stamp: str, seconds: float) -> str:
    """`stamp` moved by `seconds` (negative for earlier)."""
    return iso(datetime.fromisoformat(stamp) + timedelta(seconds=seconds))


def window_end(stamp: str, window: float) -> str:
    """The end of the `window`-second slot (aligned to the epoch) that `stamp` falls in."""
    seconds = datetime.fromisoformat(stamp).timestamp()
    return iso(datetime.fromtimestamp((seconds // window) * window + window, timezone.utc))
