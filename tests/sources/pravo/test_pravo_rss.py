"""The `pravo` RSS fast path: the feed read, and a new treaty act seen through it by the daemon
as the day sweep's own event, once, with the sweep adding nothing after it."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest

from helpers.cli import Daemon, run_cli
from helpers.config import monitor_config, source_table, write_config
from helpers.http import Reply
from helpers.pravo import answer, law
from monitor.clock import NOW_ENV
from monitor.errors import SourceError, StructureChanged
from monitor.sources.pravo.rss import parse_rss

TODAY = date(2026, 11, 26)
MOSCOW = timezone(timedelta(hours=3))
DENUNCIATION = ("О денонсации Российской Федерацией Европейской конвенции по предупреждению пыток и "
                "бесчеловечного или унижающего достоинство обращения или наказания")


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv(NOW_ENV, f"{TODAY.isoformat()}T12:00:00+03:00")


def rss(items: list[tuple[str, str, date]]) -> str:
    """A flat RSS 2.0 answer of the portal's shape: (title, eoNumber, publication day) per item."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>http://publication.pravo.gov.ru/document/{eo}</link>"
        f"<guid>http://publication.pravo.gov.ru/document/{eo}</guid>"
        f"<pubDate>{format_datetime(datetime(day.year, day.month, day.day, tzinfo=MOSCOW))}</pubDate></item>"
        for title, eo, day in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>pravo</title>'
            f"{body}</channel></rss>")


# --- the feed ------------------------------------------------------------------------------

def test_a_title_over_two_lines_is_joined_and_the_day_is_the_moscow_day():
    title = "Указ Президента Российской Федерации от 25.11.2026 № 812\n  О подписании Конвенции о чём-то"
    items = parse_rss(rss([(title, "0001202611260003", TODAY)]).encode(), "feed")
    assert items[0].title == "Указ Президента Российской Федерации от 25.11.2026 № 812 О подписании Конвенции о чём-то"
    assert items[0].eo_number == "0001202611260003"
    assert items[0].day == TODAY  # Moscow midnight names the day; in UTC it is the evening before


@pytest.mark.parametrize("body, error", [
    (b"", SourceError),
    (b'<rss version="2.0"><channel><title>x</title></channel></rss>', SourceError),
    (b"<html><body>Technical works</body></html>", StructureChanged),
    (b"Service Unavailable", StructureChanged),
])
def test_an_empty_or_non_rss_answer_is_a_failure_never_no_acts(body, error):
    with pytest.raises(error):
        parse_rss(body, "feed")


# --- through the daemon and the CLI ----------------------------------------------------------

class Portal:
    """The portal's `/api/Documents` (per day, block `president`) and `/api/rss` (per block)."""

    def __init__(self) -> None:
        self.days: dict[str, list[dict]] = {}
        self.feed: dict[str, list[tuple[str, str, date]]] = {"president": [], "international": []}
        self.feed_body: dict[str, Reply] = {}

    def documents(self, seen) -> Reply:
        query = {k: v[0] for k, v in seen.query.items()}
        if query.get("PeriodType") != "day" or query.get("Block") not in self.feed:
            return Reply(400, json.dumps({"message": f"unexpected query {sorted(query)}"}))
        listed = self.days.get(query.get("Date", ""), []) if query["Block"] == "president" else []
        body = answer(listed, int(query.get("Index", "1")), 200)
        return Reply(200, json.dumps(body, ensure_ascii=False), {"Content-Type": "application/json; charset=utf-8"})

    def rss(self, seen) -> Reply:
        block = seen.query.get("block", [""])[0]
        if seen.query.get("pageSize") != ["10"] or block not in self.feed:
            return Reply(400, "bad query")
        if block in self.feed_body:
            return self.feed_body[block]
        return Reply(200, rss(self.feed[block]), {"Content-Type": "application/rss+xml; charset=utf-8"})


def setup(server, tmp_path, rss_interval="1s"):
    portal = Portal()
    server.routes["/api/Documents"] = portal.documents
    server.routes["/api/rss"] = portal.rss
    day = TODAY - timedelta(days=1)
    ordinary = [law(f"0001{day:%Y%m%d}{n:04d}", f"{n}-ФЗ", "О внесении изменений в Налоговый кодекс", day)
                for n in range(1, 4)]
    portal.days[f"{day:%d.%m.%Y}"] = ordinary
    portal.feed["president"] = [(f"Федеральный закон от {day:%d.%m.%Y} № {n}-ФЗ\n\"О внесении изменений\"",
                                 f"0001{day:%Y%m%d}{n:04d}", day) for n in range(1, 4)]
    portal.feed["international"] = [("Соглашение между Российской Федерацией и Республикой Казахстан о сотрудничестве",
                                     "0001202611200001", day - timedelta(days=5))]
    config = monitor_config(tmp_path, source_table("pravo-ru", "pravo", base_url=server.base, lookback_days=3,
                                                   blocks=["president", "international"], interval="1h",
                                                   rss_interval=rss_interval, retries=0, host_delay="0s", jitter="0s"),
                            daemon={"shutdown_timeout": "3s"})
    return portal, day, config


def check(config) -> dict:
    result = run_cli("--config", str(config), "check", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)[0]


def events(config) -> list[dict]:
    return json.loads(run_cli("--config", str(config), "events", "--json").stdout)


def rss_polls(server) -> int:
    return len(server.hits("/api/rss"))


def test_a_new_rss_item_becomes_the_sweeps_event_at_once_and_the_sweep_adds_nothing(server, tmp_path):
    portal, day, config = setup(server, tmp_path)
    assert check(config)["outcome"] == "baseline"  # the sweep's first run: history, silently
    eo = f"0001{day:%Y%m%d}0400"
    act = law(eo, "400-ФЗ", DENUNCIATION, day)
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: rss_polls(server) >= 4, what="two RSS polls of two blocks")
        # Announced in the RSS, over two lines, before the API lists it: nothing yet, and it is tried again.
        portal.feed["president"].insert(0, (f"Федеральный закон от {day:%d.%m.%Y} № 400-ФЗ\n\"{DENUNCIATION}\"",
                                            eo, day))
        polls = rss_polls(server)
        daemon.wait_for(lambda: rss_polls(server) >= polls + 4, what="two more RSS polls")
        assert events(config) == []
        asked = [s for s in server.hits("/api/Documents") if s.query["Date"] == [f"{day:%d.%m.%Y}"]]
        assert len(asked) >= 6  # the sweep once, then each poll while the act is awaited (two blocks)
        portal.days[f"{day:%d.%m.%Y}"].append(act)
        daemon.wait_for(lambda: daemon.logged("event denunciation"), what="the denunciation event")
        polls = rss_polls(server)
        daemon.wait_for(lambda: rss_polls(server) >= polls + 4, what="two more RSS polls")
    finally:
        assert daemon.stop() == 0
    # The fast path's checks (later than the sweep) do not move the sweep's next run.
    with sqlite3.connect(tmp_path / "state.db") as db:
        starts = [row[0] for row in db.execute("select started_at from checks order by id")]
    sweep = datetime.fromisoformat(starts[0])
    assert datetime.fromisoformat(starts[-1]) > sweep + timedelta(seconds=1)
    again = Daemon(config)
    try:
        again.wait_for(lambda: again.logged("next check of pravo-ru at"), what="the sweep's schedule")
    finally:
        assert again.stop() == 0
    assert again.logged(f"next check of pravo-ru at {(sweep + timedelta(hours=1)).isoformat(timespec='milliseconds')}")
    found = events(config)
    assert [e["type"] for e in found] == ["denunciation"]
    assert found[0]["url"] == f"{server.base}/document/{eo}"
    asked = len(server.hits("/api/Documents"))
    # The day sweep, later, finds the act stored: no new event.
    again = check(config)
    assert again["events"] == [] and again["outcome"] == "unchanged"
    assert [e["id"] for e in events(config)] == [found[0]["id"]]
    assert len(server.hits("/api/Documents")) == asked + 6  # the sweep ran its three days, two blocks

    # The same act seen by the day sweep alone gives the same id.
    alone = tmp_path / "alone"
    alone.mkdir()
    config_alone = write_config(alone, config.read_text())
    portal.days[f"{day:%d.%m.%Y}"].remove(act)
    assert check(config_alone)["outcome"] == "baseline"
    portal.days[f"{day:%d.%m.%Y}"].append(act)
    swept = check(config_alone)
    assert [(e["type"], e["id"]) for e in swept["events"]] == [("denunciation", found[0]["id"])]


def test_a_broken_feed_fails_the_check_loudly_and_rss_off_stops_the_polls(server, tmp_path):
    portal, day, config = setup(server, tmp_path)
    assert check(config)["outcome"] == "baseline"
    portal.feed_body["international"] = Reply(200, "<html><body>Ведутся технические работы</body></html>",
                                              {"Content-Type": "text/html"})
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("not an RSS feed"), what="the failed RSS check")
    finally:
        assert daemon.stop() == 0
    with sqlite3.connect(tmp_path / "state.db") as db:
        error, streak = db.execute("select last_error, consecutive_failures from sources").fetchone()
    assert "not an RSS feed" in error and streak >= 1
    # Loud as an operations alert; no act vanished, nobody "withdrew".
    assert "structure_changed" in {e["type"] for e in events(config)}
    assert {e["type"] for e in events(config)} <= {"structure_changed", "source_failing"}

    config.write_text(config.read_text().replace('rss_interval = "1s"', 'rss_interval = "off"'))
    polls = rss_polls(server)
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("legal-monitor running"), what="start-up")
        time.sleep(2.5)
    finally:
        assert daemon.stop() == 0
    assert rss_polls(server) == polls


def test_the_fast_path_polls_only_blocks_the_day_sweep_lists_and_can_be_turned_off():
    from helpers.pravo import source

    assert source().fast_paths() == {"rss": 300.0}
    assert source(blocks=["president", "international"], rss_interval="2m").fast_paths() == {"rss": 120.0}
    assert source(blocks=["government"]).fast_paths() == {}  # its acts would never be the sweep's records
    assert source(rss_interval="off").fast_paths() == {}
