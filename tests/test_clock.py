"""Timestamps are ISO 8601 UTC text with milliseconds, so that they sort as they compare."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from monitor.clock import iso, utcnow


def test_now_is_the_same_text_as_an_iso_moment_and_moves_with_the_clock_across_seconds():
    seen = []
    deadline = time.monotonic() + 5
    while len({stamp[:19] for stamp in seen}) < 3 and time.monotonic() < deadline:  # cross two seconds
        before = iso(datetime.now(timezone.utc))
        stamp = utcnow()
        after = iso(datetime.now(timezone.utc))
        assert before <= stamp <= after, (before, stamp, after)
        assert datetime.fromisoformat(stamp).utcoffset().total_seconds() == 0
        seen.append(stamp)
        time.sleep(0.05)
    assert len({stamp[:19] for stamp in seen}) >= 3
    assert seen == sorted(seen)
    assert all(len(stamp) == len("2026-11-26T07:23:40.123+00:00") for stamp in seen)
