"""Alerts in words, the same everywhere: one generic and one portal event, delivered for real
(webhook JSON, Slack and Discord formats, Apprise, e-mail through aiosmtpd), printed by `check`
and `events`, and served by `serve` (the Atom feed read with feedparser, the dashboard page)."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request

import feedparser
import pytest

from helpers.cli import run_cli
from helpers.coe import TreatyOffice, load
from helpers.config import QUICK, channel_table, hook, monitor_config, source_table
from helpers.generic import HTML, chart
from helpers.http import Reply, free_port
from helpers.web import read_url as get
from helpers.web import serving

CPT = ("European Convention for the Prevention of Torture and Inhuman or Degrading Treatment or Punishment "
       "(chart)")
GENERIC = f"Denunciation: Russian Federation — {CPT}"
ROWS = [("Spain", "02/05/1989", ""), ("Russian Federation", "05/05/1998", "")]


def receivers(server) -> dict[str, list]:
    """Webhook receivers on the local server: what each one was sent, decoded."""
    got: dict[str, list] = {"/hook": [], "/slack": [], "/discord": [], "/apprise": []}

    def keep(seen):
        got[seen.path].append((seen.headers, json.loads(seen.body)))
        return Reply(200, "{}", {"Content-Type": "application/json"})
    for path in got:
        server.routes[path] = keep
    return got


def watch(tmp_path, server, smtp_port: int | None, http_port: int, rows: list) -> str:
    """A config watching the chart (`cpt-chart`, a generic source about one treaty) and the CoE
    Treaty Office (`coe`), alerting every channel kind; only the chart without `smtp_port`."""
    server.routes["/chart.html"] = lambda seen: Reply(200, chart(rows), HTML)
    chart_source = source_table("cpt-chart", "html", url=f"{server.base}/chart.html", items="#chart tr:has(td)",
                                key="td.state", fields={"ratification": "td.rat", "denunciation": "td.note"},
                                treaty={"id": "ETS No. 126", "title": CPT, "url": "https://www.coe.int/treaty/126"},
                                date_format="%d/%m/%Y")
    portal_and_channels = [
        # every chart in every check, as the test expects
        source_table("coe", "coe", base_url=f"{server.base}/", page_url=f"{server.base}/en/web/conventions/full-list",
                     sweep_period="5m"),
        hook(f"{server.base}/hook", secret_env="LM_HOOK_SECRET"),
        hook(f"{server.base}/slack", "slack", format="slack"),
        hook(f"{server.base}/discord", "discord", format="discord"),
        channel_table("chat", "apprise", urls=[f"json://127.0.0.1:{server.port}/apprise"]),
        channel_table("desk", "email", smtp_host="127.0.0.1", smtp_port=smtp_port, security="none", username="alerts",
                      password_env="LM_SMTP_PASSWORD", to=["Treaty Desk <desk@treaties.example>"],
                      from_="Legal Monitor <monitor@treaties.example>"),
    ] if smtp_port is not None else []
    config = str(monitor_config(tmp_path, chart_source, *portal_and_channels, http={"listen": f"127.0.0.1:{http_port}"},
                                defaults=QUICK))
    return config


SECRETS = {"LM_HOOK_SECRET": "s3cret", "LM_SMTP_PASSWORD": "pw-from-env"}


def test_every_channel_and_output_shows_the_same_headline_for_a_generic_and_a_portal_event(
        tmp_path, server, smtp_server):
    office = TreatyOffice(server)
    got = receivers(server)
    rows = list(ROWS)
    http_port = free_port()
    config = watch(tmp_path, server, smtp_server.port, http_port, rows)
    assert run_cli("--config", config, "check", env=SECRETS).returncode == 0  # the baseline
    rows[1] = ("Russian Federation", "05/05/1998", "29/09/2025")
    office.charts["126"] = load("signatures_126_after.json")
    result = run_cli("--config", config, "check", env=SECRETS)
    assert result.returncode == 0, result.stderr

    listed = json.loads(run_cli("--config", config, "events", "--json", env=SECRETS).stdout)
    by_source = {e["source"]: e["headline"] for e in listed if e["type"] == "denunciation"}
    assert by_source["cpt-chart"] == GENERIC
    portal = by_source["coe"]
    assert portal.startswith("Denunciation: Russian Federation — European Convention for the Prevention of "
                             "Torture and Inhuman or Degrading Treatment or Punishment")
    expected = {GENERIC, portal}

    # `check` printed each one, and says where the diff went: not into the headline.
    printed = {line.strip() for line in result.stdout.splitlines()}
    for headline in expected:
        assert any(line.startswith(headline + " [") for line in printed), (headline, result.stdout)
    assert '"" → "29/09/2025"' not in result.stdout

    # The webhook's JSON title, Slack's text, Discord's title and content, Apprise's title.
    assert {body["title"] for _, body in got["/hook"]} == expected
    assert {body["text"] for _, body in got["/slack"]} == expected
    assert {body["embeds"][0]["title"] for _, body in got["/discord"]} == expected
    assert {body["content"] for _, body in got["/discord"]} == expected
    assert {body["title"] for _, body in got["/apprise"]} == expected
    generic = next(body for _, body in got["/hook"] if body["source"] == "cpt-chart")
    assert generic["summary"] == (f"Action: Denunciation; State: Russian Federation; Treaty: {CPT}; "
                                  f"Date: 2025-09-29; Source: cpt-chart; Official link: {server.base}/chart.html")
    assert generic["changes"] == {"denunciation": {"old": None, "new": "29/09/2025"}}  # the diff: in the details
    assert generic["test"] is False
    assert all(headers["X-Legal-Monitor-Event"] == "denunciation" for headers, _ in got["/hook"])

    # The e-mails: the same subjects, and the State line in the body.
    messages = smtp_server.messages()
    assert {m["Subject"] for m in messages} == expected
    for message in messages:
        body = message.get_body(("plain",)).get_content()
        assert "State: Russian Federation" in body and message["X-Legal-Monitor-Test"] == "false"
    assert {e.mail_from for e in smtp_server.envelopes} == {"monitor@treaties.example"}
    assert messages[0]["From"] == "Legal Monitor <monitor@treaties.example>"

    # The Atom feed and the dashboard, from `serve` started without any channel secret.
    process = serving(config, http_port)
    try:
        feed = feedparser.parse(get(f"http://127.0.0.1:{http_port}/events.atom"))
        page = get(f"http://127.0.0.1:{http_port}/events")
    finally:
        process.terminate()
        assert process.wait(10) == 0
    assert not feed.bozo and {entry.title for entry in feed.entries} == expected
    rows_shown = {html.unescape(t) for t in re.findall(r'<tr class="type-denunciation" title="([^"]*)"', page)}
    assert rows_shown == expected


def test_a_test_alert_is_marked_in_every_channel(tmp_path, server, smtp_server):
    got = receivers(server)
    config = watch(tmp_path, server, smtp_server.port, free_port(), list(ROWS))
    result = run_cli("--config", config, "test-alert", env=SECRETS)
    assert result.returncode == 0, result.stdout + result.stderr
    [(headers, body)] = got["/hook"]
    assert body["test"] is True and list(body)[:2] == ["schema", "test"]
    assert body["title"].startswith("[TEST] ") and body["summary"].startswith("Test: no real treaty action")
    assert headers["X-Legal-Monitor-Test"] == "true"
    assert headers["X-Legal-Monitor-Event"] == "test"  # never a real denunciation's header
    assert got["/slack"][0][1]["text"].startswith("[TEST] ")
    assert got["/discord"][0][1]["embeds"][0]["title"].startswith("[TEST] ")
    assert got["/apprise"][0][1]["title"].startswith("[TEST] ")
    [message] = smtp_server.messages()
    assert message["Subject"].startswith("[TEST] ")
    assert (message["X-Legal-Monitor-Test"], message["X-Legal-Monitor-Event"]) == ("true", "test")


@pytest.mark.parametrize("value, valid", [
    ("Legal Monitor <alerts@example.org>", True), ('"Desk, Treaties" <desk@example.org>', True),
    ("alerts@example.org", True), ("Legal Monitor alerts@example.org", False), ("Desk <desk@example.org", False),
    ("nobody", False)])
def test_e_mail_addresses_may_carry_a_display_name_and_others_are_refused(tmp_path, value, valid):
    path = monitor_config(tmp_path, channel_table("desk", "email", smtp_host="127.0.0.1", to=[value], from_=value),
                          state=None)
    result = run_cli("--config", str(path), "validate")
    if valid:
        assert result.returncode == 0, result.stderr
        assert f"from {value} to {value}" in result.stdout
    else:
        assert result.returncode == 2
        assert f"channels[0] (\"desk\").from: {value!r} is not an e-mail address" in result.stderr


def test_a_generic_sources_treaty_has_a_filter_and_a_page_like_any_other(tmp_path, server):
    rows = list(ROWS)
    http_port = free_port()
    config = watch(tmp_path, server, None, http_port, rows)
    assert run_cli("--config", config, "check").returncode == 0  # the baseline
    rows[1] = ("Russian Federation", "05/05/1998", "29/09/2025")
    result = run_cli("--config", config, "check", "--json")
    assert result.returncode == 0
    [report] = json.loads(result.stdout)
    assert [e["headline"] for e in report["events"]] == [GENERIC]  # `check --json` says it too
    base = f"http://127.0.0.1:{http_port}"
    process = serving(config, http_port)
    try:
        filtered = get(f"{base}/events?treaty=ETS+No.+126")
        other = get(f"{base}/events?treaty=ETS+No.+5")
        treaty = get(f"{base}/treaties/cpt-chart/ETS%20No.%20126")
        feed = feedparser.parse(get(f"{base}/events.atom?treaty=ETS+No.+126"))
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(f"{base}/treaties/cpt-chart/ETS%20No.%205")
    finally:
        process.terminate()
        process.wait(10)
    assert GENERIC in {html.unescape(t) for t in re.findall(r'<tr class="type-denunciation" title="([^"]*)"', filtered)}
    assert "No events match" in other and "type-denunciation" not in other
    # The row links the treaty's name to its page; the page links the name to the official page.
    assert f'<a href="/treaties/cpt-chart/ETS%20No.%20126">{html.escape(CPT)}</a>' in filtered
    assert f'<h1><a href="https://www.coe.int/treaty/126" rel="noreferrer">{html.escape(CPT)}</a></h1>' in treaty
    assert "cpt-chart (treaty ETS No. 126)" in treaty and "denunciation: 29/09/2025" in treaty
    assert "map.svg" not in treaty  # no standings to draw: the records are listed instead
    assert re.findall(r'<tr class="type-denunciation" title="([^"]*)"', treaty) == [html.escape(GENERIC)]
    assert [entry.title for entry in feed.entries] == [GENERIC]
    assert missing.value.code == 404
