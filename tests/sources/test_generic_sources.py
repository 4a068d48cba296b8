"""Generic sources as a user meets them: alerts that name their record, treaty context,
safe edits of extraction settings, new rows that already carry an action."""

from __future__ import annotations

import json
import socket

import pytest

from helpers.checks import check_here
from helpers.cli import run_cli
from helpers.config import mailbox, monitor_config, source_table
from helpers.generic import TREATY, Chart, hook_table
from helpers.http import Reply


def test_webhook_for_a_chart_without_subject_field_names_the_key_and_the_change(server, tmp_path):
    server.routes["/hook"] = Reply(204)
    site = Chart(server, tmp_path, channels=hook_table(f"{server.base}/hook"))
    assert site.check()[0].returncode == 0  # baseline
    site.rows[0] = ("Spain", "02/05/1989", "Denunciation, 01/11/2026")
    result, _ = site.check()
    assert result.returncode == 0, result.stderr
    [hit] = server.hits("/hook")
    payload = json.loads(hit.body)
    assert payload["schema"] == "legal-monitor/event@1"
    assert payload["key"] == "Spain" and payload["subject"] == "Spain"
    assert payload["changes"] == {"note": {"old": None, "new": "Denunciation, 01/11/2026"}}
    # The headline is in words; the diff is in the details (and the source's own title).
    assert payload["title"] == "Changed record: Spain"
    assert payload["source_title"] == 'chart: Spain — note: "" → "Denunciation, 01/11/2026"'
    assert payload["url"] == f"{server.base}/chart.html"  # no record link: the page it was seen on


def test_email_for_a_chart_without_subject_field_shows_the_key_and_old_and_new(server, tmp_path, smtp_server):
    mail = mailbox(smtp_server.port, security="none", events=["record_changed"])
    site = Chart(server, tmp_path, channels=mail)
    assert site.check()[0].returncode == 0
    site.rows[1] = ("France", "09/01/1989", "Reservation to Article 2")
    assert site.check()[0].returncode == 0
    [message] = smtp_server.messages()
    assert "France" in message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    assert "State: France" in plain  # the record is keyed by its state: said once, as the state
    assert 'Changed: note: "" → "Reservation to Article 2"' in plain
    assert "&quot;" in message.get_body(("html",)).get_content()  # the same line, escaped


def test_treaty_and_date_format_reach_the_event(server, tmp_path):
    site = Chart(server, tmp_path, fields='{ ratification = "td.rat", denunciation = "td.note" }',
                 extra=f'treaty = {TREATY}\n            date_format = "%d/%m/%Y"')
    site.check()
    site.rows[0] = ("Spain", "02/05/1989", "29/09/2025")
    _, [report] = site.check()
    [event] = report["events"]
    assert event["type"] == "denunciation" and event["subject"] == "Spain"
    assert event["date"] == "2025-09-29"
    assert event["treaty"]["id"] == "ETS 126" and "Torture" in event["treaty"]["title"]
    assert event["url"] == f"{server.base}/chart.html"


def test_a_new_row_that_already_shows_an_action_raises_it_and_a_plain_one_does_not(server, tmp_path):
    site = Chart(server, tmp_path, fields='{ ratification = "td.rat", denunciation = "td.note" }',
                 extra='date_format = "%d/%m/%Y"')
    site.check()
    site.rows += [("Georgia", "", "01/11/2026"), ("Malta", "", "")]
    _, [report] = site.check()
    by_key = {(e["key"], e["type"]) for e in report["events"]}
    assert by_key == {("Georgia", "denunciation"), ("Malta", "record_added")}
    [georgia] = [e for e in report["events"] if e["key"] == "Georgia"]
    assert georgia["date"] == "2026-11-01" and georgia["details"]["changed"] == {"denunciation": {"old": None,
                                                                                          "new": "01/11/2026"}}
    # The row flapping away and back is the same action: no second event.
    site.rows = site.rows[:-2]
    site.check(), site.check(), site.check()
    site.rows += [("Georgia", "", "01/11/2026")]
    site.check()
    assert [e["type"] for e in site.events() if e["key"] == "Georgia"].count("denunciation") == 1


def test_editing_the_fields_rebaselines_silently_instead_of_alerting_history(server, tmp_path):
    server.routes["/hook"] = Reply(204)
    site = Chart(server, tmp_path, channels=hook_table(f"{server.base}/hook"))
    site.check()
    site.write(fields='{ note = "td.note", ratification = "td.rat" }', channels=hook_table(f"{server.base}/hook"))
    result, [report] = site.check("-v")
    assert report["outcome"] == "baseline" and report["events"] == []
    assert "extraction settings of chart changed: parsed again and re-baselined silently" in result.stderr
    assert server.hits("/hook") == [] and site.events() == []
    # Afterwards a real change alerts again.
    site.rows.append(("Malta", "01/12/2026", ""))
    _, [report] = site.check()
    assert [e["type"] for e in report["events"]] == ["ratification"]


def test_a_wrong_key_selector_is_a_failure_not_unchanged(server, tmp_path):
    site = Chart(server, tmp_path)
    site.check()
    site.write(key="td.stat")  # matches nothing: the page is parsed again and fails
    result, [report] = site.check()
    assert result.returncode == 1 and report["outcome"] == "failed"
    assert "none has a key ('td.stat')" in report["error"]
    site.write(key="td.state")
    _, [report] = site.check()
    assert report["outcome"] == "unchanged" and report["events"] == []


def test_changing_the_key_selector_forgets_the_old_keys_silently(server, tmp_path):
    site = Chart(server, tmp_path)
    site.check()
    site.write(key="td.rat")
    _, [report] = site.check()
    assert report["outcome"] == "baseline" and report["records"] == 3
    for _ in range(3):  # the old keys are gone at once, not "removed" two checks later
        _, [report] = site.check()
        assert report["events"] == [] and report["removed"] == 0


def test_renaming_a_source_is_a_new_source(server, tmp_path):
    site = Chart(server, tmp_path)
    site.check()
    site.rows[0] = ("Spain", "02/05/1989", "Denunciation, 01/11/2026")
    site.write(name="chart-coe")
    _, [report] = site.check()
    assert report["source"] == "chart-coe" and report["outcome"] == "baseline" and report["events"] == []


def test_unknown_treaty_key_and_a_date_format_without_a_year_are_config_errors(server, tmp_path):
    site = Chart(server, tmp_path, extra='treaty = { number = "5" }\n            date_format = "%d/%m"')
    result = run_cli("--config", str(site.path), "validate")
    assert result.returncode == 2
    assert "sources[0] (\"chart\").treaty: unknown key 'number'" in result.stderr
    assert "sources[0] (\"chart\").date_format: '%d/%m' does not give a full date" in result.stderr


# --- a network without DNS ---------------------------------------------------------------------

@pytest.fixture
def no_dns(monkeypatch):
    """Name lookups of *.test fail as they do without a network; counts them."""
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host  # anyio passes the IDNA bytes
        if isinstance(name, str) and name.endswith(".test"):
            lookups.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_an_unresolvable_host_is_not_retried_and_is_reported_once(tmp_path, no_dns):
    path = monitor_config(tmp_path, source_table("un", "untc", base_url="https://treaties.un.test",
                                                 treaties=["XXVII-7-d", "IV-4", "IV-5"], retries=3))
    [report] = check_here(path)
    assert report.outcome == "failed"
    assert report.error.startswith("cannot resolve treaties.un.test")
    assert report.error.endswith("(3 documents)") and report.error.count("cannot resolve") == 1
    assert no_dns == ["treaties.un.test"]  # one lookup for the host, not 4 tries for each document


# --- preview --------------------------------------------------------------------------------

def test_preview_shows_what_the_settings_extract_and_writes_nothing(server, tmp_path):
    server.routes["/hook"] = Reply(204)
    site = Chart(server, tmp_path, fields='{ ratification = "td.rat", note = "td.note" }',
                 channels=hook_table(f"{server.base}/hook"))
    result = run_cli("--config", str(site.path), "preview", "chart", "--limit", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "chart (html): 3 records"
    assert lines[1:4] == ["  Spain",
                          "      ratification  02/05/1989  (ambiguous date, kept as written: set date_format to read it)",
                          "      note          -"]
    assert lines[-1] == "(first 2 of 3; --limit N shows more)"
    data = json.loads(run_cli("--config", str(site.path), "preview", "chart", "--json").stdout)
    assert data["count"] == 3 and [r["key"] for r in data["records"]] == ["Spain", "France", "Ukraine"]
    assert data["records"][2]["fields"] == {"ratification": "05/05/1997", "note": None}
    assert not (tmp_path / "state.db").exists() and server.hits("/hook") == []


def test_preview_of_a_selector_that_matches_nothing_says_so(server, tmp_path):
    site = Chart(server, tmp_path)
    site.write(key="td.stat")
    result = run_cli("--config", str(site.path), "preview", "chart")
    assert result.returncode == 1 and "none has a key ('td.stat')" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("--config", str(site.path), "preview", "nope")
    assert result.returncode == 2 and "unknown source 'nope' (known: chart)" in result.stderr


# --- the Atom feed and the daemon's first words ---------------------------------------------------

def test_atom_entry_summary_does_not_repeat_its_title(server, tmp_path):
    import urllib.request
    import xml.etree.ElementTree as ET

    from monitor.web import Endpoint, Metrics

    site = Chart(server, tmp_path, extra=f"treaty = {TREATY}")
    site.check()
    site.rows[0] = ("Spain", "02/05/1989", "Denunciation, 01/11/2026")
    site.check()
    endpoint = Endpoint("127.0.0.1:0", tmp_path / "state.db", Metrics(), lambda: True)
    endpoint.start()
    try:
        with urllib.request.urlopen(f"http://{endpoint.address}/events.atom", timeout=5) as response:
            feed = ET.fromstring(response.read())
    finally:
        endpoint.stop()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    [entry] = feed.findall("a:entry", ns)
    title, summary = entry.findtext("a:title", namespaces=ns), entry.findtext("a:summary", namespaces=ns)
    assert title.startswith("Denunciation: Spain — European Convention")
    assert summary.startswith("Action: Denunciation; State: Spain; Treaty: European Convention")
    assert title not in summary


def test_daemon_without_channels_says_nobody_is_alerted(server, tmp_path):
    from helpers.cli import Daemon

    site = Chart(server, tmp_path, extra='interval = "1h"')
    daemon = Daemon(site.path)
    try:
        daemon.wait_for(lambda: daemon.logged("legal-monitor running"), what="the start-up line")
    finally:
        daemon.stop()
    [line] = [line for line in daemon.lines if "legal-monitor running" in line]
    assert "1 source, no alert channel: events are stored" in line
    assert "but nobody is alerted; add a [[channels]] table to" in line and str(site.path) in line


def test_slack_and_discord_messages_show_the_record_and_its_change():
    from monitor.channels.webhook import discord_message, slack_message
    from monitor.diff import Stored, diff_part
    from monitor.records import Record
    from monitor.sources.generic import generic_events

    old, new = Record("Spain", {"note": None}), Record("Spain", {"note": "Denunciation, 01/11/2026"})
    [change] = diff_part({"Spain": Stored(old)}, [new]).changes
    [event] = generic_events("chart", change, "2026-11-26T00:00:00+00:00")
    slack = slack_message(event)["blocks"][0]["text"]["text"]
    assert "*State:* Spain" in slack and '*Changed:* note: "" → "Denunciation, 01/11/2026"' in slack
    embed = discord_message(event)["embeds"][0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "State: Spain" in embed["description"] and fields["Changed"] == 'note: "" → "Denunciation, 01/11/2026"'
