"""Parse and format durations written like "5s", "30m", "6h", "1d"."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")


def parse_duration(text: str) -> float:
    """Return seconds for a duration such as "90s", "1h30m" or "0.5s"; raise ValueError."""
    if not isinstance(text, str):
        raise ValueError("must be a duration string such as \"30m\"")
    compact = text.strip().lower().replace(" ", "")
    if not compact:
        raise ValueError("must be a duration such as \"30m\", not empty")
    pos, total = 0, 0.0
    for match in _PART.finditer(compact):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(compact):
        raise ValueError(f"{text!r} is not a duration (use e.g. \"5s\", \"30m\", \"6h\", \"1d\")")
    return total


def format_duration(seconds: float) -> str:
    """Render seconds in the largest unit that divides them, e.g. 3600 -> "1h"."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    for unit in ("w", "d", "h", "m"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
