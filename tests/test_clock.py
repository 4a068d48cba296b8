"""Timestamps are ISO 8601 UTC text with milliseconds, so that they sort as they compare."""

from __future__ import annotations

from datetime import datetime, timezone

from monitor.clock import iso, utcnow


def test_now_is_the_same_text_as_an_iso_moment_in_utc_with_milliseconds():
    seen = []
    for _ in range(20):
        before = iso(datetime.now(timezone.utc))
        stamp = utcnow()
        after = iso(datetime.now(timezone.utc))
        assert before <= stamp <= after, (before, stamp, after)
        assert datetime.fromisoformat(stamp).utcoffset().total_seconds() == 0
        seen.append(stamp)
    assert seen == sorted(seen)
    assert all(len(stamp) == len("2026-11-26T07:23:40.123+00:00") for stamp in seen)


def test_a_moment_in_another_zone_is_written_in_utc():
    moment = datetime.fromisoformat("2026-11-26T10:23:40.123456+03:00")
    assert iso(moment) == "2026-11-26T07:23:40.123+00:00"
