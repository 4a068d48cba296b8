"""The `coe` kind finding its web service again from the Treaty Office page's HTML shell (a move
answered with 301, a new key, a body that is not JSON), and its charts spread over the hour."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from helpers.coe import TreatyOffice, check_here, config, load
from helpers.http import Reply

PAGE = "/en/web/conventions/full-list"


def moved(office: TreatyOffice, server, prefix: str = "/ws2") -> None:
    """The service answers at `prefix` now; its old address sends every request to the portal (301)."""
    for path, handler in (("/api/traites/search", office.search), ("/api/signatures", office.signatures)):
        server.routes[prefix + path] = handler
        server.routes[path] = Reply(301, "", {"Location": f"{server.base}/en/web/conventions/"})
    server.routes["/en/web/conventions/"] = Reply(200, "<html><body>Loading...</body></html>",
                                                  {"Content-Type": "text/html"})


def shell(office: TreatyOffice, server, url: str) -> None:
    server.routes[PAGE] = lambda seen: Reply(
        200, f"<html><head><script>window.conventions_api_url='{url}';window.conventions_api_key="
             f"'{office.page_key}';</script></head><body>You need to enable JavaScript</body></html>",
        {"Content-Type": "text/html"})


def records(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "state.db") as db:
        return db.execute("select count(*) from records where removed_at is null").fetchone()[0]


def test_a_service_moved_with_a_new_key_is_found_again_from_the_page_shell(tmp_path, server):
    office = TreatyOffice(server)
    path = config(tmp_path, server)
    assert check_here(path)["outcome"] == "baseline"
    moved(office, server)
    office.key = office.page_key = "n3wk3y"
    shell(office, server, f"{server.base}/ws2/")
    office.charts["126"] = load("signatures_126_after.json")
    report = check_here(path)
    assert report["outcome"] == "changed", report["error"]
    assert [(e["type"], e["subject"]) for e in report["events"]] == [("denunciation", "Russian Federation")]
    # The next check goes straight to the new address with the new key; the page is not read again.
    server.requests.clear()
    assert check_here(path)["outcome"] == "unchanged"
    assert {r.path.split("/api/")[0] for r in server.requests} == {"/ws2"}
    assert {r.headers.get("token") for r in server.requests} == {"n3wk3y"}


def test_a_redirect_or_a_page_that_is_not_json_is_a_failed_check_never_no_rows(tmp_path, server):
    office = TreatyOffice(server)
    path = config(tmp_path, server)
    assert check_here(path)["outcome"] == "baseline"
    stored = records(tmp_path)
    moved(office, server)  # and the page still names the old address: an outage
    shell(office, server, f"{server.base}/")
    report = check_here(path)
    assert report["outcome"] == "failed" and report["events"] == []
    assert "the service moved or is down" in report["error"] and "still publishes the same" in report["error"]
    assert records(tmp_path) == stored

    office2 = TreatyOffice(server)  # the routes back, but the charts answer a maintenance page
    server.routes["/api/signatures"] = Reply(200, "<html><body>Maintenance</body></html>",
                                             {"Content-Type": "text/html"})
    shell(office2, server, f"{server.base}/")
    report = check_here(path)
    assert report["outcome"] == "failed" and "did not answer JSON" in report["error"]
    assert records(tmp_path) == stored


def test_the_page_is_read_once_a_day_and_a_new_key_taken_without_a_failure(tmp_path, server):
    office = TreatyOffice(server)
    path = config(tmp_path, server)
    assert check_here(path)["outcome"] == "baseline"
    assert check_here(path)["outcome"] == "unchanged"
    assert not server.hits(PAGE)  # within the day: the configured address and key
    with sqlite3.connect(tmp_path / "state.db") as db:
        memo = json.loads(db.execute("select memo from sources").fetchone()[0])
        memo["shell_read_at"] = "2020-01-01T00:00:00.000+00:00"
        db.execute("update sources set memo = ?", [json.dumps(memo)])
    office.key = office.page_key = "r0tat3d"
    shell(office, server, f"{server.base}/")
    server.requests.clear()
    report = check_here(path)
    assert report["outcome"] == "unchanged" and len(server.hits(PAGE)) == 1
    # Read before the first request: no request was refused.
    assert {r.headers.get("token") for r in server.requests if r.path != PAGE} == {"r0tat3d"}
    server.requests.clear()
    assert check_here(path)["outcome"] == "unchanged" and not server.hits(PAGE)
    assert {r.headers.get("token") for r in server.requests} == {"r0tat3d"}


def test_each_chart_is_fetched_once_per_sweep_period_spread_over_the_checks(tmp_path, server):
    TreatyOffice(server)
    path = config(tmp_path, server, 'interval = "5m"\njitter = "0s"\nsweep_period = "15m"')
    assert check_here(path)["outcome"] == "baseline"  # the first check takes them all
    server.requests.clear()
    asked = []
    for _ in range(3):
        before = len(server.hits("/api/signatures"))
        check_here(path)
        asked.append([s.query["numSTE"][0] for s in server.hits("/api/signatures")[before:]])
    assert [len(a) for a in asked] == [1, 1, 1]
    assert sorted(n for a in asked for n in a) == ["126", "148", "210"]
