"""When sources are checked: jitter defaults and limits, the retry schedule after failures, time phrases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.errors import ConfigError
from monitor.schedule import next_check, retry_delay, share, wait_after
from monitor.text import relative, span

HOUR = 3600.0


def sources(*tables, defaults=None):
    raw = {"defaults": defaults or {},
           "sources": [{"kind": "html", "url": "https://example.org/", "items": "li", "key": "@id", **t}
                       for t in tables]}
    return parse_config(raw, Path("/etc/legal-monitor/monitor.toml")).sources


def problems(*tables, defaults=None):
    with pytest.raises(ConfigError) as caught:
        sources(*tables, defaults=defaults)
    return caught.value.problems


def test_jitter_defaults_to_a_tenth_of_the_interval_and_at_most_a_minute():
    got = sources({"name": "fast", "interval": "5s"}, {"name": "hourly"}, {"name": "daily", "interval": "1d"},
                  {"name": "own", "interval": "1h", "jitter": "5m"})
    assert [s.jitter for s in got] == [0.5, 60.0, 60.0, 300.0]
    coe = parse_config({"sources": [{"name": "coe", "kind": "coe"}]}, Path("m.toml")).sources[0]
    # The kind's own 5-minute interval (each check a share of the charts): a tenth of it.
    assert (coe.interval, coe.jitter) == (300.0, 30.0)


def test_a_jitter_longer_than_the_interval_is_a_config_error_naming_file_and_key():
    assert problems({"name": "a", "interval": "5s", "jitter": "6s"}) == [
        "/etc/legal-monitor/monitor.toml: sources[0] (\"a\").jitter: 6s is longer than the interval 5s; "
        "make it at most the interval"]
    # From [defaults]: the key to change is there, and the message names the source it clashes with.
    assert problems({"name": "ok"}, {"name": "quick", "interval": "5m"}, defaults={"jitter": "10m"}) == [
        "/etc/legal-monitor/monitor.toml: defaults.jitter: 10m is longer than the interval 5m of "
        "sources[1] (\"quick\"); make it at most the interval"]
    assert sources({"name": "equal", "interval": "5s", "jitter": "5s"})[0].jitter == 5.0


def test_retries_come_after_one_two_four_minutes_and_never_later_than_the_interval():
    assert [retry_delay(n, 6 * HOUR, 60) for n in range(1, 12)] == [
        60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 6 * HOUR, 6 * HOUR]
    assert retry_delay(6, HOUR, 60) == 1920 and retry_delay(7, HOUR, 60) == HOUR
    assert retry_delay(10_000, HOUR, 60) == HOUR  # a streak of months does not overflow
    assert retry_delay(0, HOUR, 60) == HOUR


def test_the_wait_adds_jitter_a_tenth_of_a_retry_at_most_and_the_regular_wait_caps_retries():
    source = sources({"name": "s", "interval": "1h", "jitter": "1m"})[0]
    for fraction in (0.0, 0.5, 0.999):
        assert HOUR <= wait_after(source, False, 0, fraction) <= HOUR + 60
        assert 60 <= wait_after(source, True, 1, fraction) <= 66
        assert 960 <= wait_after(source, True, 5, fraction) <= 1020  # 16 min + at most the 1 min jitter
        assert wait_after(source, True, 7, fraction) == wait_after(source, False, 0, fraction)
        assert wait_after(source, True, 6, fraction) <= wait_after(source, False, 0, fraction)
    none = sources({"name": "s", "interval": "1h", "jitter": "0s"})[0]
    assert wait_after(none, True, 2, 0.9) == 120 and wait_after(none, False, 0, 0.9) == HOUR


def test_next_check_comes_from_the_database_row_so_a_restart_keeps_the_retry_schedule():
    source = sources({"name": "s", "interval": "6h", "retry_base": "1m"})[0]
    last = "2026-11-26T07:00:00.000+00:00"
    start = datetime(2026, 11, 26, 7, tzinfo=timezone.utc)
    assert next_check(source, None) is None
    assert next_check(source, {"last_check": None}) is None

    def after(outcome, failures):
        due = next_check(source, {"last_check": last, "last_outcome": outcome, "consecutive_failures": failures})
        assert due == next_check(source, {"last_check": last, "last_outcome": outcome,
                                          "consecutive_failures": failures})  # the same for daemon and status
        return (due - start).total_seconds()

    assert 60 <= after("failed", 1) <= 66
    assert 8 * 60 <= after("failed", 4) <= 8 * 60 + 48
    assert 6 * HOUR <= after("failed", 12) <= 6 * HOUR + 60
    # A partly failed check counts in the streak but keeps the regular pace.
    assert 6 * HOUR <= after("partial", 3) <= 6 * HOUR + 60
    assert 6 * HOUR <= after("unchanged", 0) <= 6 * HOUR + 60


def test_the_jitter_share_differs_between_sources_and_between_checks():
    stamps = [(datetime(2026, 11, 26, tzinfo=timezone.utc) + timedelta(minutes=m)).isoformat() for m in range(50)]
    shares = [share(name, stamp) for name in ("coe", "untc", "pravo") for stamp in stamps]
    assert all(0 <= s < 1 for s in shares)
    assert len(set(shares)) == len(shares)
    assert min(shares) < 0.1 and max(shares) > 0.9  # spread over the whole jitter


@pytest.mark.parametrize("seconds, text", [
    (0.4, "now"), (5, "in 5 s"), (-89, "89 s ago"), (300, "in 5 min"), (-3 * HOUR, "3 h ago"),
    (HOUR + 30, "in 1 h"), (5400, "in 1 h 30 min"), (-11 * HOUR, "11 h ago"), (3 * 86400, "in 3 d"),
])
def test_relative_phrases(seconds, text):
    now = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)
    assert relative(now + timedelta(seconds=seconds), now) == text
    assert span(59 * 60 + 40) == "1 h"
