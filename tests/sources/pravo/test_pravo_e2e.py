"""End to end: `legal-monitor check` against a local portal that answers `/api/Documents` per day and page."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from helpers.cli import run_cli
from helpers.config import monitor_config
from helpers.http import Reply
from helpers.pravo import DENUNCIATION, Portal, law, pravo_source  # test_event_ids.py imports these from here
from monitor.clock import NOW_ENV

# run that crosses Moscow midnight cannot see other days than the test expects.
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv(NOW_ENV, f"{TODAY.isoformat()}T23:59:30+03:00")


def check(config) -> dict:
    result = run_cli("--config", str(config), "check", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)[0]


def test_a_day_gaining_a_denunciation_law_raises_exactly_one_event(server, tmp_path):
    portal = Portal()
    server.routes["/api/Documents"] = portal
    day = TODAY - timedelta(days=2)
    key = f"{day:%d.%m.%Y}"
    ordinary = [law(f"0001{day:%Y%m%d}{n:04d}", f"{n}-ФЗ", "О внесении изменений в отдельные законодательные акты",
                    day) for n in range(1, 251)]
    portal.days[key] = ordinary
    config = monitor_config(tmp_path, pravo_source(server.base, 5))

    baseline = check(config)
    assert baseline["outcome"] == "baseline" and baseline["events"] == []
    assert baseline["requests"] == 5 + 1  # five days, one of them two pages

    eo = f"0001{day:%Y%m%d}0300"
    portal.days[key] = ordinary + [law(eo, "400-ФЗ", DENUNCIATION, day)]  # lands on page 2
    found = check(config)
    assert found["outcome"] == "changed" and found["added"] == 1
    assert [e["type"] for e in found["events"]] == ["denunciation"]
    event = found["events"][0]
    assert event["url"] == f"{server.base}/document/{eo}"
    assert event["details"]["pdf_url"] == f"{server.base}/file/pdf?eoNumber={eo}"
    assert event["subject"] == "Russian Federation"
    assert event["summary"].startswith("Russia: federal law on denunciation of Европейской конвенции по "
                                       "предупреждению пыток")
    assert event["treaty"]["title"].startswith("Европейской конвенции по предупреждению пыток")

    again = check(config)
    assert again["outcome"] == "unchanged" and again["events"] == []
    listed = run_cli("--config", str(config), "events", "--json")
    assert [e["id"] for e in json.loads(listed.stdout)] == [event["id"]]

    pages = {(s.query["Date"][0], s.query["Index"][0]) for s in server.requests}
    assert (key, "2") in pages
    assert {d for d, _ in pages} == {f"{TODAY - timedelta(days=n):%d.%m.%Y}" for n in range(5)}


def test_an_unfiltered_answer_fails_the_cli_check(server, tmp_path):
    from helpers.pravo import ALL_BLOCKS

    server.routes["/api/Documents"] = Reply(200, json.dumps(ALL_BLOCKS), {"Content-Type": "application/json"})
    config = monitor_config(tmp_path, pravo_source(server.base, 1))
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 1
    assert "1,593,675 results for one day" in result.stdout
    assert "Traceback" not in result.stderr
