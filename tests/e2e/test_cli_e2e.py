"""End to end: `legal-monitor check` as a subprocess against a real local HTTP server."""

from __future__ import annotations

import json

import pytest

from helpers.cli import Daemon, run_cli
from helpers.config import QUICK, monitor_config, source_table
from helpers.http import Reply


def chart(rows: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<tr><td class="state">{s}</td><td>{sig}</td><td>{rat}</td></tr>' for s, sig, rat in rows)
    return (f"<html><head><meta charset='utf-8'><title>Chart</title></head><body><p>Status as of today</p>"
            f"<table id='chart'><tr><th>State</th><th>Signature</th><th>Ratification</th></tr>{body}"
            f"</table></body></html>")


ROWS = [("France", "01/01/2000", "02/02/2001"), ("Russian Federation", "28/02/1996", ""),
        ("Ukraine", "02/05/1996", "05/05/1997")]


def doc(rows):
    return {"data": {"parties": [{"code": c, "state": s, "status": st} for c, s, st in rows]}}


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Treaty news</title><link>http://x/</link><description>d</description>
{items}</channel></rss>"""


def feed(entries):
    return FEED.format(items="".join(
        f"<item><title>{t}</title><link>http://news.example/{i}</link><guid>news-{i}</guid></item>"
        for i, t in entries))


@pytest.fixture
def site(server, tmp_path):
    server.routes["/chart.html"] = Reply(200, chart(ROWS), {"Content-Type": "text/html; charset=utf-8"})
    server.routes["/parties.json"] = Reply(200, json.dumps(doc([("FR", "France", "Party"),
                                                               ("US", "United States", "Signatory")])),
                                           {"Content-Type": "application/json"})
    server.routes["/news.xml"] = Reply(200, feed([(1, "Annual meeting of the parties")]),
                                       {"Content-Type": "application/rss+xml"})
    config = monitor_config(
        tmp_path,
        source_table("chart", "html", url=f"{server.base}/chart.html", items="#chart tr:has(td)", key="td.state",
                     fields={"subject": "td.state", "signature": "td:nth-of-type(2)",
                             "ratification": "td:nth-of-type(3)"}),
        source_table("parties", "json", url=f"{server.base}/parties.json", items="data.parties", key="code",
                     fields={"subject": "state", "status": "status"},
                     treaty={"title": "Convention on Test Parties"}),  # a list of one treaty's parties
        source_table("news", "feed", url=f"{server.base}/news.xml"),
        defaults=QUICK)
    return server, config


def check(config, *extra):
    result = run_cli("--config", str(config), "check", "--json", *extra)
    reports = json.loads(result.stdout) if result.stdout.strip() else []
    return result, {r["source"]: r for r in reports}


def events(config):
    return json.loads(run_cli("--config", str(config), "events", "--json", "--limit", "1000").stdout)


def test_full_lifecycle(site):
    server, config = site

    # 1. First run: a baseline, no events.
    result, reports = check(config)
    assert result.returncode == 0, result.stderr
    assert {r["outcome"] for r in reports.values()} == {"baseline"}
    assert reports["chart"]["added"] == 3
    assert events(config) == []

    # 2. A row added and one changed: exactly the expected events.
    rows = ROWS[:1] + [("Russian Federation", "28/02/1996", "05/05/1998"), ROWS[2], ("Armenia", "", "")]
    server.routes["/chart.html"] = Reply(200, chart(rows), {"Content-Type": "text/html"})
    server.routes["/parties.json"] = Reply(200, json.dumps(doc([("FR", "France", "Party"),
                                                               ("US", "United States", "Withdrawn")])))
    server.routes["/news.xml"] = Reply(200, feed([(1, "Annual meeting of the parties"),
                                                  (2, "Dénonciation de la Convention par la Russie")]))
    result, reports = check(config)
    assert result.returncode == 0, result.stderr
    got = sorted((e["source"], e["type"], e["subject"] or e["title"]) for e in events(config))
    assert got == [
        ("chart", "ratification", "Russian Federation"),
        ("chart", "record_added", "Armenia"),
        ("news", "denunciation", "news-2"),  # a feed entry's subject is its key, its title the headline
        ("parties", "denunciation", "United States"),
    ]
    news = next(e for e in events(config) if e["source"] == "news")
    assert news["title"] == "Dénonciation de la Convention par la Russie"
    ratification = next(e for e in events(config) if e["type"] == "ratification")
    # No date_format: 05/05/1998 could be day or month first, so it stays as written, never as `date`.
    assert (ratification["date"], ratification["date_text"]) == (None, "05/05/1998")
    assert ratification["details"]["field"] == "ratification"

    # 3. Same content again (no validators: the body hash short-cut): no events.
    result, reports = check(config)
    assert {r["outcome"] for r in reports.values()} == {"unchanged"}
    assert sum(len(r["events"]) for r in reports.values()) == 0
    assert len(events(config)) == 4


def test_not_modified_costs_no_parse(site):
    server, config = site
    server.routes["/chart.html"] = Reply(200, chart(ROWS), {"ETag": '"v1"'})
    check(config)
    # The body now would not even parse as a chart; a 304 means it is never looked at.
    server.routes["/chart.html"] = Reply(200, "<html>garbage</html>", {"ETag": '"v1"'})
    result, reports = check(config, "--source", "chart")
    assert result.returncode == 0
    assert reports["chart"]["outcome"] == "unchanged" and reports["chart"]["not_modified"] == 1
    assert server.hits("/chart.html")[-1].headers.get("If-None-Match") == '"v1"'


def test_server_errors_fail_the_source_and_keep_records(site):
    server, config = site
    check(config)
    server.routes["/chart.html"] = Reply(500, "oops")
    result, reports = check(config)
    assert result.returncode == 1
    assert "failed sources: chart" in result.stderr
    assert reports["chart"]["outcome"] == "failed" and "HTTP 500" in reports["chart"]["error"]
    listing = json.loads(run_cli("--config", str(config), "sources", "--json").stdout)
    chart_row = next(r for r in listing if r["name"] == "chart")
    assert chart_row["records"] == 3 and chart_row["consecutive_failures"] == 1
    assert chart_row["status"] == "failed"
    assert events(config) == []


def test_empty_or_half_empty_page_is_a_failure_not_removals(site):
    server, config = site
    check(config)
    server.routes["/chart.html"] = Reply(200, chart([]))
    for _ in range(3):  # never becomes "every state withdrew", however often it repeats
        result, reports = check(config, "--source", "chart")
        assert result.returncode == 1
        assert "no items" in reports["chart"]["error"]
    server.routes["/chart.html"] = Reply(200, chart(ROWS[:1]))
    result, reports = check(config, "--source", "chart")
    assert "fewer than half" in reports["chart"]["error"]
    # No treaty or record events; one operational event of each kind for the whole incident.
    assert sorted(e["type"] for e in events(config)) == ["source_failing", "structure_changed"]
    # An operator who knows the shrink is real can accept it; the recovery is reported once.
    result, reports = check(config, "--source", "chart", "--accept-shrink")
    assert reports["chart"]["outcome"] == "unchanged" and result.returncode == 0
    assert reports["chart"]["removed"] == 0  # removal still needs a second check without the rows
    assert sorted(e["type"] for e in events(config)) == ["source_failing", "source_recovered", "structure_changed"]


def test_removal_after_two_checks_and_restart_gives_no_duplicates(site):
    server, config = site
    check(config)
    server.routes["/chart.html"] = Reply(200, chart(ROWS[:2] + [("Ukraine", "02/05/1996", "")]))
    check(config)  # Ukraine's ratification date vanished: a correction, record_changed
    server.routes["/chart.html"] = Reply(200, chart(ROWS[:2] + [ROWS[2], ("Malta", "", "")]))
    check(config)
    before = events(config)
    server.routes["/chart.html"] = Reply(200, chart(ROWS[:2] + [ROWS[2]]))
    check(config)
    assert events(config) == before  # missing once: nothing yet
    check(config)
    removed = [e for e in events(config) if e["type"] == "record_removed"]
    assert [e["key"] for e in removed] == ["Malta"]
    # Fresh processes re-checking the same content: no duplicate events.
    for _ in range(2):
        check(config)
    assert len(events(config)) == len(before) + 1


def test_unknown_source_name_and_unreachable_url(tmp_path):
    config = monitor_config(tmp_path, source_table("gone", "html", url="http://127.0.0.1:9/nothing", items="tr", key="td"),
                            state=None, defaults={"retries": 0, "timeout": "2s"})
    result = run_cli("--config", str(config), "check", "--source", "nope")
    assert result.returncode == 2 and "unknown source 'nope'" in result.stderr
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 1
    assert "gone" in result.stdout and "cannot connect to 127.0.0.1" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_daemon_checks_on_schedule_and_stops_cleanly_on_sigterm(site, tmp_path):
    server, config = site
    text = config.read_text().replace('host_delay = "0s"', 'host_delay = "0s"\ninterval = "1s"\njitter = "0s"')
    config.write_text(text)
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: len(server.hits("/chart.html")) >= 3, timeout=30,
                        what="the daemon re-checking on its interval")
    finally:
        code = daemon.stop()
    err = "\n".join(daemon.lines)
    assert code == 0, err
    assert "legal-monitor running: 3 sources" in err and "stopped" in err
    assert "Traceback" not in err
