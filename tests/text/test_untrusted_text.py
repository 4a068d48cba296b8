"""Hostile portal text: control characters never reach a terminal, a mail or the feed, and
only http(s) URLs become links anywhere an event is shown or sent."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from helpers.cli import run_cli
from helpers.config import hook, json_source_config, mailbox
from helpers.http import Reply
from monitor.channels.webhook import discord_message, payload, slack_message
from monitor.config import SourceConfig, load_config
from monitor.events import Event, Treaty
from monitor.options import typed_options
from monitor.records import Record
from monitor.sources.html import HtmlSource
from monitor.sources.json import JsonSource
from monitor.store import open_state
from monitor.web import Endpoint, Metrics

CONTROLS = ["\x1b", "\x07", "\x00", "\x7f", "\x9b", "\x08"]
HOSTILE = "\x1b[2J\x1b[31mRatification\x07 by\x00 Ruri\x7ftania\x9b1m\x08"
BAD_LINKS = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
             " javascript:alert(1)", "vbscript:msgbox", "file:///etc/passwd", "/relative/path", "//host.example/x",
             "http://", "https://exa mple.org/", "http://[::1",
             "https://x.example/a\tb", "https://x.example\u00a0/", "https://www.coe.int@evil.example/"]


def no_controls(text: str) -> bool:
    return not any(c in text for c in CONTROLS) and "\\u001b" not in text and "\\u0000" not in text


# --- control characters ------------------------------------------------------------------

def test_record_fields_lose_controls_but_keep_their_words():
    record = Record(key="k\x00ey", fields={"state": "Ruri\x1b[1mtania", "note": "a\rb\x0cc\x85d\te\nf"},
                    title=HOSTILE, url="https://x.example/\x07a")
    assert record.key == "key"
    assert record.fields == {"state": "Ruri[1mtania", "note": "a b c d e f"}
    assert record.title == "[2J[31mRatification by Ruritania1m" and record.url == "https://x.example/a"


@pytest.mark.parametrize("make, text", [
    (lambda: JsonSource(SourceConfig(name="j", kind="json", options=typed_options(
        JsonSource, url="https://x.example/j", items="", key="code", fields={"title": "title", "subject": "s"}))),
     json.dumps([{"code": "R\u0000U", "title": HOSTILE, "s": "Ruri\u001btania"}])),
    (lambda: HtmlSource(SourceConfig(name="h", kind="html", options=typed_options(
        HtmlSource, url="https://x.example/h", items="tr", key="td.k", fields={"title": "td.t", "subject": "td.s"}))),
     f"<table><tr><td class=k>R\x07U</td><td class=t>{HOSTILE}</td><td class=s>Ruri\x1btania</td></tr></table>"),
])
def test_every_kind_parses_records_without_controls(make, text):
    source = make()
    [record] = source.parse(text, source.config.options.url)
    assert record.key == "RU" and record.fields["subject"] == "Ruritania"
    assert no_controls(record.title) and "Ratification by" in record.title


def test_events_built_outside_records_lose_controls_too():
    event = Event(id="e", type="ratification", source="s", key="k", title="T\x1b]0;owned\x07", subject="S\x00",
                  summary="x\x9by", treaty=Treaty("ETS\x1b", "Conv\x07ention", None),
                  details={"error": "bad \x1b[1m", "fields": {"n\x00": ["\x07v"]}})
    assert (event.title, event.subject, event.summary) == ("T]0;owned", "S", "xy")
    assert (event.treaty.id, event.treaty.title) == ("ETS", "Convention")
    assert event.details == {"error": "bad [1m", "fields": {"n": ["v"]}}


def json_site(server, tmp_path, rows, channels=""):
    server.routes["/p.json"] = lambda seen: Reply(200, json.dumps(rows), {"Content-Type": "application/json"})
    return json_source_config(tmp_path, f"{server.base}/p.json", 'treaty = { id = "T-1" }\n' + channels,
                              fields='{ subject = "state", title = "title", url = "link" }')


def feed(state_path) -> tuple[bytes, bytes]:
    """The Atom feed and /events.json as the daemon's endpoint serves them."""
    endpoint = Endpoint("127.0.0.1:0", state_path, Metrics(), lambda: [])
    endpoint.start()
    try:
        atom, events = (urllib.request.urlopen(f"http://{endpoint.address}{path}", timeout=30).read()
                        for path in ("/events.atom", "/events.json"))
        return atom, events
    finally:
        endpoint.stop()


def test_controls_never_reach_events_email_subjects_or_the_atom_feed(tmp_path, server, smtp_server):
    rows = [{"code": "FR", "state": "France", "title": "Ratification by France", "link": None}]
    config = json_site(server, tmp_path, rows, mailbox(smtp_server.port, security="none"))
    assert run_cli("--config", str(config), "check").returncode == 0
    rows.append({"code": "R\u0000T", "state": "Ruri\u001b[8mtania\u0007", "title": HOSTILE})
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 0, result.stderr
    assert no_controls(result.stdout + result.stderr) and "Ruritania" in result.stdout
    for args in (["events"], ["events", "--json"], ["held"], ["deliveries"]):
        shown = run_cli("--config", str(config), *args)
        assert shown.returncode == 0 and no_controls(shown.stdout), args
    [message] = smtp_server.messages()
    assert message["Subject"] == "Ratification: Ruri[8mtania — [2J[31mRatification by Ruritania1m"
    assert no_controls(message.get_body(("plain",)).get_content())
    atom, events_json = feed(load_config(config).state_path)
    root = ET.fromstring(atom)  # valid XML
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Ratification: Ruri[8mtania — [2J[31mRatification by Ruritania1m" in titles
    assert no_controls(atom.decode()) and no_controls(events_json.decode())


def test_noncharacters_and_bidi_overrides_never_reach_the_feeds_alerts_or_preview(tmp_path, server):
    import feedparser

    rows = [{"code": "FR", "state": "France", "title": "Ratification by France", "link": None}]
    config = json_site(server, tmp_path, rows)
    assert run_cli("--config", str(config), "check").returncode == 0
    rows += [{"code": "RU", "state": "Russian Federation", "title": "Ratification by Russia\uffff\ufdd0", "link": None},
             {"code": "RA", "state": "Russi\u0430n Federation", "title": "Ratification, lookalike", "link": None},
             {"code": "EV", "state": "\u202eEvil\u2067 St\u0430te", "title": "Ratification by \U0010ffff\u202ex",
              "link": None}]
    shown = [run_cli("--config", str(config), "preview", "portal").stdout]
    result = run_cli("--config", str(config), "check", "--json")
    assert result.returncode == 0, result.stderr
    shown += [result.stdout, run_cli("--config", str(config), "events", "--json").stdout]
    atom, events_json = feed(load_config(config).state_path)
    parsed = feedparser.parse(atom)
    assert not parsed.bozo, parsed.bozo_exception  # the whole feed stays valid XML
    assert "Ratification by Russia" in [e.title.split(" — ")[-1] for e in parsed.entries]
    text = "".join(shown) + atom.decode() + events_json.decode()
    for bad in ("\uffff", "\ufdd0", "\U0010ffff", "\u202e", "\u2067", "\\uffff", "\\u202e"):
        assert bad not in text
    events = {e["key"]: e for e in json.loads(events_json)}
    assert events["RA"]["subject"] == "Russian Federation"  # the lookalike is the real state: one page, one story
    assert events["RA"]["story"] == events["RU"]["story"]
    assert events["EV"]["subject"] == "Evil St\u0430te"
    assert events["EV"]["details"]["subject_mixed_scripts"] == "mixes Cyrillic and Latin letters"


# --- links -------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", BAD_LINKS)
def test_only_http_links_become_an_event_or_treaty_url(bad):
    event = Event(id="e", type="ratification", source="s", key="k", url=bad, treaty=Treaty("T", "Treaty", bad))
    assert event.url is None and event.treaty.url is None
    assert "javascript" not in json.dumps(payload(event)).lower()
    assert "data:" not in json.dumps(payload(event))


def test_http_and_https_links_are_kept_as_given():
    for good in ("http://treaties.example/a?b=1&c=2", "HTTPS://Treaties.example/x#y", "https://[::1]:8443/",
                 "https://правительство.рф/docs/1"):
        event = Event(id="e", type="ratification", source="s", key="k", url=good, treaty=Treaty(url=good))
        assert event.url == good and event.treaty.url == good
    spaced = Event(id="e", type="ratification", source="s", key="k", url="https://x.example/Annex 2.pdf")
    assert spaced.url == "https://x.example/Annex%202.pdf"


def test_hostile_links_never_reach_the_webhook_the_feed_or_events_json(tmp_path, server):
    rows = [{"code": "FR", "state": "France", "title": "Ratification by France", "link": "https://ok.example/fr"}]
    server.routes["/hook"] = Reply(200, "ok")
    config = json_site(server, tmp_path, rows, hook(f"{server.base}/hook"))
    assert run_cli("--config", str(config), "check").returncode == 0
    rows += [{"code": f"X{n}", "state": f"State {n}", "title": f"Ratification by State {n}", "link": link}
             for n, link in enumerate(BAD_LINKS[:3])]
    rows.append({"code": "GB", "state": "United Kingdom", "title": "Ratification by the UK",
                 "link": "https://ok.example/gb"})
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 0, result.stderr
    bodies = [seen.body.decode() for seen in server.hits("/hook")]
    assert len(bodies) == 4
    sent = {json.loads(body)["subject"]: json.loads(body)["url"] for body in bodies}
    assert sent == {"State 0": None, "State 1": None, "State 2": None, "United Kingdom": "https://ok.example/gb"}
    atom, events_json = feed(load_config(config).state_path)
    for text in bodies + [atom.decode(), events_json.decode(), result.stdout]:
        assert "javascript:" not in text.lower() and "data:" not in text
    atom_ns = "{http://www.w3.org/2005/Atom}"
    links = [link.get("href") for entry in ET.fromstring(atom).iter(f"{atom_ns}entry")
             for link in entry.iter(f"{atom_ns}link")]
    assert links == ["https://ok.example/gb"]  # the entries' links; the feed's own point at the endpoint


def test_a_hostile_link_stored_before_this_check_is_not_served(tmp_path):
    state = open_state(tmp_path / "s.db")
    state.close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        conn.execute("insert into events (id, type, source, key, url, treaty, details, detected_at)"
                     " values ('old', 'denunciation', 's', 'k', 'javascript:alert(1)', ?, '{}', ?)",
                     [json.dumps({"id": None, "title": "T", "url": "data:text/html,x"}), "2026-01-01T00:00:00Z"])
    atom, events_json = feed(tmp_path / "s.db")
    assert json.loads(events_json)[0]["url"] is None and json.loads(events_json)[0]["treaty"]["url"] is None
    assert "javascript:" not in atom.decode() and "data:" not in atom.decode()


def test_slack_links_escape_angle_brackets_and_bars():
    url = "https://treaties.example/search?q=<b>|x&y=1"
    event = Event(id="e", type="ratification", source="s", key="k", title="T", url=url)
    text = slack_message(event)["blocks"][0]["text"]["text"]
    assert "<https://treaties.example/search?q=%3Cb%3E%7Cx&amp;y=1>" in text
    assert "<b>" not in text and "|x" not in text
    assert discord_message(event)["embeds"][0]["url"] == url
    assert "url" not in discord_message(Event(id="e", type="ratification", source="s", key="k",
                                              url="javascript:x"))["embeds"][0]
