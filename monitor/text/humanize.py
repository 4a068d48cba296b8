"""Text as people read it: counted nouns ("2 failures"), dates ("26 Nov 2026"), UTC timestamps,
local times and spans ("in 5 min", "3 h ago")."""

from __future__ import annotations

from datetime import date, datetime, timezone


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, with the plural form unless the count is one."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def human_date(value: str | None) -> str:
    """An ISO date (or the date part of a timestamp) as "26 Nov 2026"; other text as it is."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day:%b %Y}"


def human_time(value: str | None) -> str:
    """An ISO timestamp as "26 Nov 2026, 07:23 UTC"; other text as it is."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def local(moment: datetime | str) -> datetime:
    """An aware time (or ISO text with an offset) in the local time zone ($TZ, else the system's)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone()


def local_iso(stamp: str | None) -> str | None:
    """ISO 8601 text in the local time zone, with its offset; None stays None."""
    return None if stamp is None else local(stamp).isoformat(timespec="milliseconds")


def span(seconds: float) -> str:
    """A length of time, rounded as a person says it: "45 s", "5 min", "1 h 30 min", "3 h", "2 d"."""
    seconds = abs(seconds)
    if seconds < 90:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 600:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    hours = round(seconds / 3600)
    if hours < 48:
        return f"{hours} h"
    return f"{round(seconds / 86400)} d"


def relative(moment: datetime | str, now: datetime) -> str:
    """"in 5 min", "3 h ago" or "now" (within a second)."""
    seconds = (local(moment) - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    return f"in {span(seconds)}" if seconds > 0 else f"{span(seconds)} ago"


def shown(moment: datetime | str | None, now: datetime, missing: str = "-") -> str:
    """A table cell: local date, time and offset, then the relative phrase.

    E.g. "2026-11-26 14:05 +05:30 (in 5 min)"."""
    if moment is None:
        return missing
    at = local(moment)
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]} ({relative(at, now)})"
