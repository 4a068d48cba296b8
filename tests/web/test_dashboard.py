"""The dashboard over HTTP: every page and filter, the feeds' filters, escaping, 404s, auth, `serve`."""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from helpers.config import monitor_config, source_table, write_config
from helpers.dashboard import HOSTILE, get, serve
from helpers.http import free_port
from helpers.paths import ROOT
from monitor.config import load_config
from monitor.events import Event, event_id
from monitor.store import SuccessfulCheck, open_state

RUSSIA, US, CZECH, KAZAKH = "Russian Federation", "United States of America", "Czech Republic", "Kazakhstan"
EVIL = "Evil" + HOSTILE
ATOM = "{http://www.w3.org/2005/Atom}"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; object-src 'self'; frame-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def shown(body: str) -> list[tuple[str, str]]:
    """(action, state) of each row of the events table, in page order."""
    table = body.split('<table class="events">', 1)[1].split("</table>", 1)[0] if 'class="events"' in body else ""
    rows = re.findall(r'<span class="badge">([^<]*)</span>.*?<td data-label="State">(.*?)</td>', table, re.S)
    return [(action, html.unescape(re.sub(r"<[^>]+>", "", state)).strip()) for action, state in rows]


def feed_subjects(base: str, query: str) -> tuple[list[str], list[str]]:
    status, _, body = get(base, "/events.json" + query)
    assert status == 200
    from_json = [e["subject"] for e in json.loads(body)]
    status, _, body = get(base, "/events.atom" + query)
    assert status == 200
    titles = [entry.findtext(f"{ATOM}title") for entry in ET.fromstring(body).iter(f"{ATOM}entry")]
    return from_json, titles


def test_home_lists_treaty_actions_newest_first_with_source_health_and_feed_links(site):
    status, headers, body = get(site, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == CSP
    # Treaty actions only: Mexico's new row (record_added) and Russia's record_changed stay off.
    assert sorted(shown(body)) == sorted([("Signature", KAZAKH), ("Ratification", CZECH), ("Denunciation", RUSSIA),
                                          ("Denunciation", US), ("Ratification", EVIL)])
    assert shown(body)[-1] == ("Ratification", EVIL)  # detected earliest, listed last
    assert "Mexico" not in body
    # The failing source stands out (first, marked in words), the healthy ones are plain.
    health = body.split('class="health"', 1)[1]
    assert re.search(r'<li class="failing">\s*<span class="state">FAILING</span>\s*<a href="/sources#source-feedsrc">',
                     health)
    assert health.count('<li class="ok">') == 2
    assert 'href="/events.atom"' in body and 'href="/events.json"' in body
    # Dates for people, official pages linked; nothing loaded from elsewhere.
    assert "22 Oct 2025" in body and "treatynum=126" in body
    assert not re.search(r'(src|href)="(https?:)?//(?!www\.coe\.int|127\.0\.0\.1)', body.split("<main>")[0])
    assert '<label for="type">' in body and '<label for="since">' in body


@pytest.mark.parametrize("query, expected", [
    ("?type=denunciation", {("Denunciation", RUSSIA), ("Denunciation", US)}),
    ("?type=record_added", {("New record", "Mexico")}),
    ("?subject=russian+federation", {("Denunciation", RUSSIA)}),
    ("?subject=Russian%20Federation&type=record_changed", {("Changed record", RUSSIA)}),
    ("?source=un", {("Denunciation", US)}),
    ("?treaty=126", {("Denunciation", RUSSIA)}),
    ("?treaty=210&type=ratification", {("Ratification", CZECH)}),
    ("?treaty=XXVII-7-d", {("Denunciation", US)}),
    ("?source=coe&type=signature", {("Signature", KAZAKH)}),
    ("?since=2026-11-21", {("Signature", KAZAKH), ("Ratification", CZECH), ("Denunciation", RUSSIA),
                           ("Denunciation", US)}),
    ("?since=1d&source=feedsrc", set()),
    ("?type=denunciation&source=feedsrc", set()),
])
def test_events_filters_and_the_feeds_honour_the_same_filters(site, query, expected):
    status, _, body = get(site, "/events" + query)
    assert status == 200
    assert set(shown(body)) == expected and len(shown(body)) == len(expected)
    from_json, atom_titles = feed_subjects(site, query)
    assert sorted(from_json) == sorted(state for _, state in expected)
    assert len(atom_titles) == len(expected)
    # The page offers the feeds of exactly this filter, and keeps the form filled in.
    feed_query = query.lstrip("?")
    if expected or "since" not in query:
        assert 'href="/events.atom?' in body
    for name, _value in re.findall(r"(\w+)=([^&]+)", feed_query):
        if name in ("subject", "treaty", "since"):
            assert f'name="{name}" value="' in body


@pytest.mark.parametrize("query, problem", [("?type=bogus", "not an event type"),
                                            ("?since=last+tuesday", "give an ISO date"),
                                            ("?before=abc", "older")])
def test_bad_parameters_are_a_400_page_and_a_400_feed(site, query, problem):
    status, headers, body = get(site, "/events" + query)
    assert status == 400 and problem in body and headers["Content-Type"].startswith("text/html")
    status, _, body = get(site, "/events.json" + query)
    assert status == 400 and problem in body


def test_hostile_titles_are_escaped_and_non_web_links_dropped(site):
    pages = ["/", "/events?source=feedsrc", "/sources", "/subjects/" + urllib.parse.quote(EVIL, safe="")]
    for path in pages:
        status, _, body = get(site, path)
        assert status == 200, path
        assert HOSTILE not in body and "<b>" not in body, path
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body, path
        assert "javascript:" not in body, path


def test_a_states_timeline_spans_its_events_and_unknown_states_are_404(site):
    status, _, body = get(site, "/subjects/russian%20federation")
    assert status == 200 and "<h1>Russian Federation</h1>" in body
    assert shown(body) == [("Denunciation", RUSSIA)]
    assert 'href="/events.atom?subject=Russian+Federation"' in body
    status, headers, body = get(site, "/subjects/Atlantis")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and "Atlantis" in body


def cells(row: str) -> list[str]:
    """The text of each cell of one table row's HTML."""
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c))).strip() for c in re.split(r"</t[hd]>", row)]


def status_rows(body: str) -> dict[str, list[str]]:
    table = body.split('<table class="status"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", table, re.S):
        texts = cells(row)
        rows[texts[0]] = texts[1:7]
    return rows


def test_a_coe_treaty_page_shows_the_status_table_official_link_and_history(site):
    status, _, body = get(site, "/treaties/coe/126")
    assert status == 200
    assert "European Convention for the Prevention of Torture" in body and "ETS No. 126" in body
    assert 'href="https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&amp;treatynum=126"' \
        in body
    rows = status_rows(body)
    signature, consent, force, denounced, effective, _ = rows[RUSSIA]
    assert (denounced, effective) == ("22 Oct 2025", "22 Apr 2026")
    assert signature and consent and force
    assert all(row[3] == "" for name, row in rows.items() if name != RUSSIA)
    assert shown(body) == [("Denunciation", RUSSIA)]


def test_a_un_treaty_page_reads_withdrawals_from_the_notes(site):
    status, _, body = get(site, "/treaties/un/XXVII-7-d")
    assert status == 200 and 'rel="noreferrer">Paris Agreement</a></h1>' in body  # the name links to its page
    assert "ViewDetails.aspx?src=TREATY&amp;mtdsg_no=XXVII-7-d" in body
    rows = status_rows(body)
    assert rows[US][:5] == ["22 Apr 2016", "3 Sep 2016 (acceptance)", "", "4 Nov 2019", "4 Nov 2020"]
    assert len(rows) > 150 and sum(1 for row in rows.values() if row[3]) == 1
    assert shown(body) == [("Denunciation", US)]


@pytest.mark.parametrize("path", ["/treaties/coe/999", "/treaties/coe/not-a-number", "/treaties/un/XXVII-99",
                                  "/treaties/feedsrc/T2", "/treaties/nosuch/126", "/nowhere", "/subjects/"])
def test_unknown_treaties_sources_and_paths_are_a_404_page(site, path):
    status, headers, body = get(site, path)
    assert status == 404 and headers["Content-Type"].startswith("text/html") and "Not found" in body


def test_sources_page_shows_each_sources_health(site):
    status, _, body = get(site, "/sources")
    assert status == 200
    rows = {}
    for name, row in re.findall(r'<tr id="source-([^"]+)"[^>]*>(.*?)</tr>', body, re.S):
        rows[name] = cells(row)
    assert set(rows) == {"coe", "un", "feedsrc"}
    name, kind, last, outcome, failures, error, next_check, records = rows["coe"][:8]
    assert (kind, outcome, failures, error) == ("coe", "changed", "0", "") and last.endswith("UTC")
    assert next_check.endswith("UTC") and int(records) > 10
    assert rows["un"][1] == "untc" and int(rows["un"][7]) > 150
    assert rows["feedsrc"][0].startswith("feedsrc (no longer configured)")
    assert rows["feedsrc"][3:5] == ["failed", "1"] and rows["feedsrc"][5].startswith("HTTP 500 <script>")


def test_the_stylesheet_is_served_by_the_daemon(site):
    status, headers, body = get(site, "/static/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and "table" in body


def test_pages_follow_older_links_through_every_event_once(tmp_path):
    path = monitor_config(tmp_path)
    state = open_state(load_config(path).state_path)
    stamps = [f"2026-0{1 + i // 28}-{1 + i % 28:02d}T12:00:00.000+00:00" for i in range(120)]
    events = [Event(id=event_id("s", f"k{i}", "ratification"), type="ratification", source="s", key=f"k{i}",
                    subject=f"State {i:03d}", detected_at=stamp) for i, stamp in enumerate(stamps)]
    # Two events share a timestamp: the page boundary must not lose or repeat either.
    events.append(Event(id=event_id("s", "twin", "ratification"), type="ratification", source="s", key="twin",
                        subject="State twin", detected_at=stamps[70]))
    for event in events:
        state.record_success(SuccessfulCheck(source="s", kind="feed", started_at=event.detected_at, duration=0,
                                             outcome="changed", bytes=0, requests=0, not_modified=0, documents=[],
                                             memo={}, events=[event]))
    state.close()
    endpoint = serve(path)
    base, seen, pages, url = f"http://{endpoint.address}", [], 0, "/events?type=ratification"
    try:
        while url:
            status, _, body = get(base, url.replace("&amp;", "&"))
            assert status == 200
            seen += [state for _, state in shown(body)]
            pages += 1
            older = re.search(r'<a href="([^"]+)" rel="next">', body)
            url = older.group(1) if older else None
            assert pages < 10
    finally:
        endpoint.stop()
    assert pages == 3 and len(seen) == len(set(seen)) == 121
    assert seen[0] == "State 119" and seen[-1] == "State 000"


def test_serve_command_with_basic_auth_and_token_from_the_environment(tmp_path):
    port = free_port()
    path = monitor_config(tmp_path, http={"listen": f"127.0.0.1:{port}", "token_env": "DASH_TOKEN", "username": "desk",
                                          "password_env": "DASH_PASSWORD"})
    env = {"DASH_TOKEN": "t0ken-secret", "DASH_PASSWORD": "pa55-secret", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(path), "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        line = process.stderr.readline()
        assert "HTTP endpoint on" in line, line
        status, headers, _ = get(base, "/")
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic realm=")
        assert get(base, "/events.json")[0] == 401
        assert get(base, "/healthz")[0] == 200
        good = base64.b64encode(b"desk:pa55-secret").decode()
        bad = base64.b64encode(b"desk:wrong").decode()
        assert get(base, "/", {"Authorization": f"Basic {good}"})[0] == 200
        assert get(base, "/sources", {"Authorization": f"Basic {bad}"})[0] == 401
        assert get(base, "/events.atom", {"Authorization": "Bearer t0ken-secret"})[0] == 200
        assert get(base, "/", {"Authorization": "Bearer nope"})[0] == 401
    finally:
        process.terminate()
        assert process.wait(10) == 0
    assert "secret" not in process.stderr.read()


def test_basic_auth_needs_both_username_and_password(tmp_path):
    from helpers.cli import run_cli

    path = write_config(tmp_path, '[http]\nusername = "desk"\n')
    result = run_cli("--config", str(path), "validate")
    assert result.returncode == 2 and "http: username and password_env go together" in result.stderr


def test_the_daemon_serves_the_dashboard_on_its_http_listener(tmp_path, server):
    from helpers.cli import Daemon
    from helpers.coe import TreatyOffice

    TreatyOffice(server)
    port = free_port()
    path = monitor_config(tmp_path, source_table("coe", "coe", base_url=f"{server.base}/",
                                                 page_url=f"{server.base}/en/web/conventions/full-list",
                                                 retries=0, host_delay="0s", jitter="0s", interval="2s"),
                          http={"listen": f"127.0.0.1:{port}"})
    daemon = Daemon(path)
    base = f"http://127.0.0.1:{port}"
    try:
        daemon.wait_for(lambda: daemon.logged("HTTP endpoint on"), what="the HTTP endpoint")
        daemon.wait_for(lambda: re.search(r"<td>(baseline|unchanged)</td>", get(base, "/sources")[2]), timeout=60,
                        what="the first check")
        status, headers, body = get(base, "/")
        assert status == 200 and headers["Content-Security-Policy"] == CSP
        assert '<li class="ok">' in body and "/sources#source-coe" in body
        status, _, body = get(base, "/treaties/coe/126")
        assert status == 200 and "Russian Federation" in body
    finally:
        assert daemon.stop() == 0


def test_events_a_flood_holds_back_or_that_were_dropped_stay_off_pages_and_feeds(tmp_path):
    path = monitor_config(tmp_path)
    state = open_state(load_config(path).state_path)
    holds = {"Norway": None, "Iceland": "held", "Malta": "dropped", "Chile": "released"}
    for index, (subject, hold) in enumerate(holds.items()):
        event = Event(id=event_id("s", subject, "signature"), type="signature", source="s", key=subject,
                      subject=subject, detected_at=f"2026-03-0{index + 1}T12:00:00.000+00:00", hold=hold)
        state.record_success(SuccessfulCheck(source="s", kind="feed", started_at=event.detected_at, duration=0,
                                             outcome="changed", bytes=0, requests=0, not_modified=0, documents=[],
                                             memo={}, events=[event]))
    state.close()
    endpoint = serve(path)
    base = f"http://{endpoint.address}"
    try:
        assert [state for _, state in shown(get(base, "/")[2])] == ["Chile", "Norway"]
        assert feed_subjects(base, "?type=signature")[0] == ["Chile", "Norway"]
        assert get(base, "/subjects/Iceland")[0] == 200  # the state is known, its held action not shown
        assert shown(get(base, "/subjects/Iceland")[2]) == []
    finally:
        endpoint.stop()
