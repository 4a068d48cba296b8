"""The daemon keeps short intervals, retries a failed check within minutes, and `status`/`sources`
show the times it keeps in the local time zone."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone

from helpers.cli import Daemon, run_cli
from helpers.daemon import check_waits, config_for, page
from helpers.http import Reply

PAGE = page(2)
PLUS_0530 = timezone(timedelta(hours=5, minutes=30))
TZ_0530 = {"TZ": "IST-5:30"}
"""A POSIX time zone string (5 h 30 min east of UTC, no daylight saving): needs no zone files."""


def status(config, env=None):
    return json.loads(run_cli("--config", str(config), "status", "--json", env=env).stdout)


def logged_time(daemon, prefix):
    """The ISO time in the last log line containing `prefix` ("... at 2026-...+00:00, in 1.0s")."""
    line = [line for line in daemon.lines if prefix in line][-1]
    return datetime.fromisoformat(re.search(re.escape(prefix) + r" (\S+),", line).group(1))


def test_a_2s_interval_is_kept_from_the_first_check_on(tmp_path, server):
    """No jitter set: it defaults to a tenth of the interval, not a fixed minute."""
    server.routes["/a.html"] = Reply(200, PAGE)
    config = config_for(tmp_path, server, interval="2s", jitter=None)
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("legal-monitor running"), what="start")
        started = time.monotonic()
        daemon.wait_for(lambda: len(server.hits("/a.html")) >= 6, timeout=40, what="6 checks")
    finally:
        assert daemon.stop() == 0
    hits = [hit.at for hit in server.hits("/a.html")]
    gaps = [b - a for a, b in zip(hits, hits[1:6], strict=False)]
    print("first check after", round(hits[0] - started, 2), "s; gaps", [round(g, 2) for g in gaps])
    assert hits[0] - started < 2 * 2  # a new source starts within its interval
    # Each check starts one interval plus at most 0.2 s of jitter after the last (never
    # sooner); they are less than two intervals apart, however loaded the machine.
    waits = check_waits(config)[:5]
    print("waits between check starts", waits)
    assert all(2 <= wait < 2 * 2 for wait in waits), waits
    assert all(gap < 2 * 2 for gap in gaps), gaps


def test_an_hourly_source_that_fails_its_first_check_is_retried_within_minutes(tmp_path, server):
    replies = iter([Reply(503, "Service Unavailable")])
    server.routes["/a.html"] = lambda seen: next(replies, Reply(200, PAGE))
    config = config_for(tmp_path, server, interval="1h", jitter=None, extra='retry_base = "2s"')
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("checked a: baseline"), timeout=60, what="the retry's success")
    finally:
        assert daemon.stop() == 0
    first, second = [hit.at for hit in server.hits("/a.html")][:2]
    print("retry", round(second - first, 2), "s after the failed check")
    assert daemon.logged("check of a failed (1 in a row): HTTP 503")
    assert daemon.logged("retrying a at") and daemon.logged("(after 1 failure in a row)")
    assert 1.0 <= second - first < 60  # 2 s later, as configured: not an hour, and not at once
    assert len(server.hits("/a.html")) == 2

    # After the success the source is back on its hour, as `status` shows in the local zone.
    shown = status(config, TZ_0530)["sources"][0]
    assert shown["consecutive_failures"] == 0 and shown["last_outcome"] == "baseline"
    assert shown["last_check"].endswith("+05:30") and shown["next_check"].endswith("+05:30")
    wait = datetime.fromisoformat(shown["next_check"]) - datetime.fromisoformat(shown["last_check"])
    assert timedelta(hours=1) <= wait <= timedelta(hours=1, minutes=1)
    text = run_cli("--config", str(config), "status", env=TZ_0530).stdout
    assert re.search(r"^a +\d{4}-\d\d-\d\d \d\d:\d\d \+05:30 \((\d+ s ago|now)\) +baseline +"
                     r"\d{4}-\d\d-\d\d \d\d:\d\d \+05:30 \(in (59 min|1 h|1 h 1 min)\) +0$", text, re.M), text


def test_a_restart_keeps_the_failure_streak_and_the_retry_status_shows(tmp_path, server):
    """Three failed checks, then a daemon start: it retries on the schedule of a third failure
    (4 × retry_base), at the very time `status` shows, not at once and not after the interval."""
    server.routes["/a.html"] = Reply(503, "Service Unavailable")
    config = config_for(tmp_path, server, interval="6h", jitter=None, extra='retry_base = "10m"')
    for _ in range(3):
        assert run_cli("--config", str(config), "check").returncode == 1
    shown = status(config, TZ_0530)["sources"][0]
    assert shown["consecutive_failures"] == 3 and shown["last_outcome"] == "failed"
    wait = datetime.fromisoformat(shown["next_check"]) - datetime.fromisoformat(shown["last_check"])
    assert timedelta(minutes=40) <= wait <= timedelta(minutes=41)  # 10 min, 20 min, 40 min (+ jitter)
    text = run_cli("--config", str(config), "status", env=TZ_0530).stdout
    assert re.search(r"\+05:30 \(in (40|41) min\) +3$", text, re.M), text

    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("next check of a at"), what="the schedule")
    finally:
        assert daemon.stop() == 0
    assert logged_time(daemon, "next check of a at") == datetime.fromisoformat(shown["next_check"])
    assert len(server.hits("/a.html")) == 3  # the restart did not check it again at once


def test_sources_and_status_show_local_times_with_their_offset(tmp_path, server):
    server.routes["/a.html"] = Reply(200, PAGE)
    config = config_for(tmp_path, server, interval="1h", jitter=None)
    assert run_cli("--config", str(config), "check").returncode == 0
    server.routes["/a.html"] = Reply(200, PAGE.replace("Party 1", "Party 1 (ratified)"))
    assert run_cli("--config", str(config), "check").returncode == 0

    utc = json.loads(run_cli("--config", str(config), "sources", "--json", env={"TZ": "UTC"}).stdout)[0]
    local = json.loads(run_cli("--config", str(config), "sources", "--json", env=TZ_0530).stdout)[0]
    assert utc["last_check"].endswith("+00:00") and local["last_check"].endswith("+05:30")
    assert datetime.fromisoformat(utc["last_check"]) == datetime.fromisoformat(local["last_check"])
    assert local["last_change"] == local["last_check"]

    checked = datetime.fromisoformat(local["last_check"]).astimezone(PLUS_0530)
    listing = run_cli("--config", str(config), "sources", env=TZ_0530).stdout
    cell = f"{checked:%Y-%m-%d %H:%M} +05:30 ("
    assert listing.count(cell) == 2, listing  # last check and last change, in local time
    assert re.search(r"\+05:30 \((\d+ s ago|now)\) +changed +2 +\d{4}-", listing), listing
    assert "LAST CHECK" in listing.splitlines()[0]

    shown = run_cli("--config", str(config), "status", env=TZ_0530).stdout
    assert cell in shown and re.search(r"\(in (59 min|1 h|1 h 1 min)\)", shown), shown
