"""Dates and timestamps as people read them: "26 Nov 2026", "26 Nov 2026, 07:23 UTC"."""

from __future__ import annotations

from datetime import date, datetime, timezone


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
