"""Alerts: routing, the outbox, webhook (JSON/HMAC, Slack, Discord) and e-mail delivery."""

from __future__ import annotations

import asyncio
import json
import signal
import threading

from helpers.cli import Daemon, run_cli
from helpers.config import (
    QUICK,
    channel_table,
    email_channel,
    hook,
    json_source_config,
    monitor_config,
    source_table,
    write_config,
)
from helpers.delivery import deliver, deliver_until, denunciation, setup, store, verify
from helpers.http import Reply
from monitor.channels import ChannelConfig
from monitor.channels.webhook import discord_message, slack_message
from monitor.clock import utcnow
from monitor.config import load_config
from monitor.events import Event
from monitor.pipeline import Deliverer
from monitor.store import open_state

# --- routing -----------------------------------------------------------------------------


def test_routing_filters():
    event = denunciation()
    assert ChannelConfig("a", "webhook", events=["denunciation"]).wants(event)
    assert not ChannelConfig("a", "webhook", events=["ratification"]).wants(event)
    assert ChannelConfig("a", "webhook", events=["denunciation"], subjects=["russian federation"]).wants(event)
    assert not ChannelConfig("a", "webhook", events=["denunciation"], subjects=["Ukraine"]).wants(event)
    assert ChannelConfig("a", "webhook", events=["denunciation"], sources=["co*"]).wants(event)
    assert not ChannelConfig("a", "webhook", events=["denunciation"], sources=["pravo"]).wants(event)
    assert not ChannelConfig("a", "webhook", events=["denunciation"], enabled=False).wants(event)
    failing = Event(id="x", type="source_failing", source="coe", key="")
    assert ChannelConfig("a", "webhook", events=["denunciation"]).wants(failing)  # ops events by default
    assert not ChannelConfig("a", "webhook", events=["denunciation"], ops=False).wants(failing)
    # A channel whose delivery failed is told through the others, not through itself.
    failed = Event(id="y", type="delivery_failed", source="coe", key="", details={"channel": "a"})
    assert not ChannelConfig("a", "webhook").wants(failed) and ChannelConfig("b", "webhook").wants(failed)


def test_default_events_are_treaty_actions_only(tmp_path):
    _, config, state, deliverer = setup(tmp_path, hook("http://127.0.0.1:9/hook"))
    channel = config.channels[0]
    assert "denunciation" in channel.events and "ratification" in channel.events
    assert not any(t.startswith("record_") for t in channel.events)


def test_channel_config_errors(tmp_path):
    path = write_config(tmp_path, """
        [[channels]]
        name = "hook"
        kind = "webhook"
        url = "http://127.0.0.1/x"
        format = "teams"
        events = ["ratification", "explosion"]

        [[channels]]
        name = "mail"
        kind = "email"
        smtp_host = "localhost"
        from = "not-an-address"
        to = []
        password_env = "LM_NOT_SET_ANYWHERE"
    """)
    result = run_cli("--config", str(path), "validate")
    assert result.returncode == 2
    for expected in ("channels[0] (\"hook\").format: must be one of 'json', 'cloudevents', 'slack', 'discord'",
                     "channels[0] (\"hook\").events: unknown event type 'explosion'",
                     "channels[1] (\"mail\").from: 'not-an-address' is not an e-mail address",
                     "channels[1] (\"mail\").to: needs at least one address",
                     "channels[1] (\"mail\").password_env: environment variable LM_NOT_SET_ANYWHERE is not set"):
        assert expected in result.stderr
    assert "Traceback" not in result.stderr


# --- webhook -----------------------------------------------------------------------------

def test_webhook_json_schema_hmac_and_retry_until_delivered(tmp_path, server, monkeypatch):
    answers = iter([500, 500, 200])
    server.routes["/hook"] = lambda seen: Reply(next(answers), "busy")
    _, config, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", secret_env="LM_WEBHOOK_SECRET", retry_base="100ms"), monkeypatch)
    store(state, denunciation())
    outcomes = deliver_until(deliverer, lambda outcomes: "sent" in outcomes)
    assert outcomes == ["retry", "retry", "sent"]
    hits = server.hits("/hook")
    assert len(hits) == 3
    for hit in hits:
        assert verify(hit.headers, hit.body)
        assert hit.headers["Content-Type"] == "application/json"
        assert hit.headers["Idempotency-Key"] == '"ev-126:RUS"'  # an RFC 8941 string
        assert hit.headers["X-Legal-Monitor-Event"] == "denunciation"
        assert "legal-monitor" in hit.headers["User-Agent"]
    assert len({hit.headers["X-Legal-Monitor-Delivery"] for hit in hits}) == 1
    payload = json.loads(hits[-1].body)
    assert set(payload) == {"schema", "schema_uri", "id", "type", "source", "key", "subject", "treaty", "date",
                            "effective_date", "title", "summary", "url", "detected_at", "details", "story", "related",
                            "changes", "date_text", "related_total", "test", "source_title", "source_summary"}
    assert payload["test"] is False and hits[-1].headers["X-Legal-Monitor-Test"] == "false"
    assert payload["schema"] == "legal-monitor/event@1"
    assert payload["treaty"]["id"] == "ETS No. 126" and payload["effective_date"] == "2026-03-01"
    row = state.outbox.deliveries()[0]
    assert row.status == "sent" and row.attempts == 3
    # Sent means never again.
    assert asyncio.run(deliverer.deliver_due()) == [] and len(server.hits("/hook")) == 3


def test_tampered_body_fails_verification(tmp_path, server, monkeypatch):
    server.routes["/hook"] = Reply(204)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", secret_env="LM_WEBHOOK_SECRET"), monkeypatch)
    store(state, denunciation())
    deliver(deliverer)
    hit = server.hits("/hook")[0]
    assert verify(hit.headers, hit.body)
    assert not verify(hit.headers, hit.body.replace(b"Russian", b"Belarus"))


def test_unknown_fields_are_null_not_missing(tmp_path, server):
    server.routes["/hook"] = Reply(200)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook"))
    store(state, Event(id="bare", type="ratification", source="coe", key="k", detected_at=utcnow()))
    deliver(deliverer)
    hit = server.hits("/hook")[0]
    payload = json.loads(hit.body)
    assert payload["subject"] is None and payload["treaty"] == {"id": None, "title": None, "url": None}
    assert "X-Legal-Monitor-Signature" not in hit.headers  # no secret configured, no signature


def test_404_is_a_permanent_failure_shown_by_deliveries_failed(tmp_path, server):
    server.routes["/gone"] = Reply(404, "no such hook")
    server.routes["/ops"] = Reply(200)
    path, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/gone")
                                      + hook(f"{server.base}/ops", name="ops", events=[], ops=True))
    store(state, denunciation())
    results = deliver(deliverer)
    assert [r.outcome for r in results] == ["failed"]
    assert "HTTP 404: no such hook" in results[0].detail
    listing = run_cli("--config", str(path), "deliveries", "--failed")
    assert "failed" in listing.stdout and "HTTP 404: no such hook" in listing.stdout
    # The failure raised one operational event for the ops channel.
    ops_state = open_state(tmp_path / "state.db")
    ops_deliverer = Deliverer(load_config(path), ops_state)
    deliver(ops_deliverer)
    ops_hits = server.hits("/ops")
    assert len(ops_hits) == 1 and json.loads(ops_hits[0].body)["type"] == "delivery_failed"
    assert len(server.hits("/gone")) == 1
    # An operator can send it again: it is tried at once (and the hook still refuses it).
    retried = run_cli("--config", str(path), "deliveries", "retry", "--all-failed")
    assert retried.returncode == 0 and "1 delivery due now" in retried.stdout
    assert "to hook: failed: permanent failure: HTTP 404: no such hook" in retried.stdout
    assert len(server.hits("/gone")) == 2


def test_retry_sends_a_pending_delivery_now_instead_of_after_its_back_off(tmp_path, server):
    answers = iter([503, 200])
    server.routes["/hook"] = lambda seen: Reply(next(answers), "busy")
    path, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", retry_base="1h"))
    store(state, denunciation())
    assert [r.outcome for r in deliver(deliverer)] == ["retry"]
    [row] = json.loads(run_cli("--config", str(path), "deliveries", "--pending", "--json").stdout)
    assert row["next_attempt_at"] > utcnow()  # waiting out its back-off
    listing = run_cli("--config", str(path), "deliveries").stdout.splitlines()
    assert listing[0].split() == ["DELIVERY", "STATUS", "CHANNEL", "TRIES", "NEXT", "TRY", "EVENT"]
    assert listing[1].index("pending") == listing[0].index("STATUS")  # columns line up
    retried = run_cli("--config", str(path), "deliveries", "retry", row["id"])
    assert retried.returncode == 0, retried.stderr
    assert f"delivery {row['id']} to hook: sent: HTTP 200" in retried.stdout
    assert [h.headers["Idempotency-Key"] for h in server.hits("/hook")] == ['"ev-126:RUS"'] * 2
    assert json.loads(run_cli("--config", str(path), "deliveries", "--json").stdout)[0]["status"] == "sent"


def test_429_retry_after_is_honoured(tmp_path, server):
    from datetime import datetime

    server.routes["/hook"] = Reply(429, "slow down", {"Retry-After": "120"})
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", retry_base="1s"))
    store(state, denunciation())
    before = datetime.fromisoformat(utcnow())
    assert [r.outcome for r in deliver(deliverer)] == ["retry"]
    after = datetime.fromisoformat(utcnow())
    row = state.outbox.deliveries("pending")[0]
    # 120 s after the attempt, whenever within [before, after] it happened: no load can break this.
    next_at = datetime.fromisoformat(row.next_attempt_at)
    assert before.timestamp() + 119.99 <= next_at.timestamp() <= after.timestamp() + 120.01
    assert row.last_status == 429


def test_gives_up_after_max_attempts(tmp_path, server):
    server.routes["/hook"] = Reply(503)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", retry_base="10ms", max_attempts=2))
    store(state, denunciation())
    outcomes = deliver_until(deliverer, lambda outcomes: "failed" in outcomes)
    assert outcomes == ["retry", "failed"]
    assert "gave up after 2 attempts" in state.outbox.deliveries("failed")[0].last_error


def test_channel_added_later_gets_no_old_events_and_removed_channel_is_inert(tmp_path, server):
    server.routes["/a"] = Reply(500)
    server.routes["/b"] = Reply(200)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/a", name="a"))
    store(state, denunciation())
    deliver(deliverer)
    # Config changes: "a" is gone, "b" is new.
    path = monitor_config(tmp_path, hook(f"{server.base}/b", name="b"))
    deliverer = Deliverer(load_config(path), state)
    assert deliver(deliverer) == []
    assert server.hits("/b") == [] and len(server.hits("/a")) == 1
    listing = run_cli("--config", str(path), "deliveries", "--pending")
    assert "channel not configured" in listing.stdout


def test_slack_and_discord_formats_are_readable_and_escaped():
    event = denunciation(title="<script>alert(1)</script> & co")
    slack = slack_message(event)
    text = slack["blocks"][0]["text"]["text"]
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "Denunciation: Russian Federation" in slack["text"]
    assert "<https://www.coe.int/chart?treatynum=126>" in text
    discord = discord_message(event)
    embed = discord["embeds"][0]
    assert embed["title"].startswith("Denunciation: Russian Federation — European Convention")
    assert embed["url"] == event.url and discord["allowed_mentions"] == {"parse": []}
    assert "Effective: 2026-03-01" in embed["description"]


# --- e-mail ------------------------------------------------------------------------------


def test_email_through_the_whole_pipeline(tmp_path, server, smtp_server, monkeypatch):
    monkeypatch.setenv("LM_SMTP_PASSWORD", "pw-from-env")
    rows = [{"code": "FR", "state": "France", "title": "Ratification by France"}]
    server.routes["/p.json"] = lambda seen: Reply(200, json.dumps(rows))
    path = json_source_config(tmp_path, f"{server.base}/p.json", email_channel(smtp_server.port))
    env = {"LM_SMTP_PASSWORD": "pw-from-env"}
    assert run_cli("--config", str(path), "check", env=env).returncode == 0  # baseline
    rows.append({"code": "RU", "state": "Russian Federation",
                 "title": "<script>alert('x')</script> Denunciation of the Convention"})
    result = run_cli("--config", str(path), "check", env=env)
    assert result.returncode == 0, result.stderr
    assert "delivery to desk: sent: SMTP 250" in result.stdout
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "monitor@treaties.example"
    assert envelope.rcpt_tos == ["desk@treaties.example", "editor@treaties.example"]
    message = smtp_server.messages()[0]
    assert message["Subject"].startswith("Denunciation: Russian Federation")
    assert message["List-Id"] and message["Message-ID"].endswith("@treaties.example>")
    plain = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",)).get_content()
    assert "<script>alert('x')</script>" in plain  # plain text shows it as text
    assert "<script>" not in html_part and "&lt;script&gt;" in html_part
    assert "Source: parties" in plain and "State: Russian Federation" in plain
    # Same content again: nothing new, nothing re-sent.
    run_cli("--config", str(path), "check", env=env)
    assert len(smtp_server.envelopes) == 1


def test_wrong_password_from_environment_is_refused_and_kept(tmp_path, smtp_server, monkeypatch):
    monkeypatch.setenv("LM_SMTP_PASSWORD", "wrong")
    _, _, state, deliverer = setup(tmp_path, email_channel(smtp_server.port))
    store(state, denunciation())
    results = deliver(deliverer)
    assert results[0].outcome == "retry" and "authentication failed: 535" in results[0].detail
    assert smtp_server.envelopes == []
    assert "wrong" not in results[0].detail


def test_smtp_down_then_up_delivers_once(tmp_path, smtp_server, monkeypatch):
    monkeypatch.setenv("LM_SMTP_PASSWORD", "pw-from-env")
    smtp_server.refuse = "451 4.3.0 try again later"
    _, _, state, deliverer = setup(tmp_path, email_channel(smtp_server.port))
    store(state, denunciation())
    assert [r.outcome for r in deliver(deliverer)] == ["retry"]
    smtp_server.controller.stop()  # the server goes away entirely (stop() returns once it is closed)
    assert deliver_until(deliverer, bool) == ["retry"]  # once due again: still unreachable
    smtp_server.refuse = None
    smtp_server.start()
    assert deliver_until(deliverer, bool) == ["sent"]
    assert asyncio.run(deliverer.deliver_due()) == []
    assert len(smtp_server.envelopes) == 1


def test_refusing_smtp_server_is_a_clear_permanent_failure(tmp_path, smtp_server, monkeypatch):
    monkeypatch.setenv("LM_SMTP_PASSWORD", "pw-from-env")
    smtp_server.refuse = "550 5.7.1 message rejected by policy"
    _, _, state, deliverer = setup(tmp_path, email_channel(smtp_server.port))
    store(state, denunciation())
    results = deliver(deliverer)
    assert results[0].outcome == "failed"
    assert "SMTP server refused DATA: 550 5.7.1 message rejected by policy" in results[0].detail


def test_digest_batches_a_window_into_one_message(tmp_path, smtp_server, monkeypatch):
    monkeypatch.setenv("LM_SMTP_PASSWORD", "pw-from-env")
    _, _, state, deliverer = setup(tmp_path, email_channel(smtp_server.port, 'digest = "1s"'))
    store(state, denunciation("126:RUS"), denunciation("126:UKR", "Ukraine"))
    # Nothing is due before the window closes; then both go out together.
    assert deliver_until(deliverer, bool) == ["sent", "sent"]
    assert len(smtp_server.envelopes) == 1
    message = smtp_server.messages()[0]
    assert message["Subject"].startswith("2 treaty events")
    body = message.get_body(("plain",)).get_content()
    assert "Russian Federation" in body and "Ukraine" in body


def test_test_alert_command(tmp_path, server, smtp_server):
    server.routes["/hook"] = Reply(200)
    path = monitor_config(tmp_path, hook(f"{server.base}/hook"), email_channel(smtp_server.port), state=None)
    result = run_cli("--config", str(path), "test-alert", env={"LM_SMTP_PASSWORD": "pw-from-env"})
    assert result.returncode == 0, result.stderr
    assert "hook: ok: HTTP 200" in result.stdout and "desk: ok: SMTP 250" in result.stdout
    assert smtp_server.messages()[0]["Subject"].startswith("[TEST] ")
    assert json.loads(server.hits("/hook")[0].body)["details"]["test"] is True
    server.routes["/hook"] = Reply(403, "forbidden")
    result = run_cli("--config", str(path), "test-alert", "--channel", "hook",
                     env={"LM_SMTP_PASSWORD": "pw-from-env"})
    assert result.returncode == 1 and "hook: FAILED: HTTP 403: forbidden" in result.stdout


# --- crash safety ------------------------------------------------------------------------

def test_sigkill_between_commit_and_delivery_loses_nothing_and_repeats_nothing_sent(tmp_path, server):
    release = threading.Event()
    slow_once = {"armed": True}
    fast, slow = [], []

    def fast_hook(seen):
        fast.append(seen.headers["Idempotency-Key"].strip("\""))
        return Reply(200)

    def slow_hook(seen):
        slow.append(seen.headers["Idempotency-Key"].strip("\""))
        if slow_once["armed"]:
            release.wait(30)  # hold the request open while the daemon is killed
        return Reply(200)

    rows = [{"code": "FR", "state": "France", "status": "Signatory"}]
    server.routes["/p.json"] = lambda seen: Reply(200, json.dumps(rows))
    server.routes["/fast"] = fast_hook
    server.routes["/slow"] = slow_hook
    path = monitor_config(tmp_path,
                          source_table("parties", "json", url=f"{server.base}/p.json", key="code",
                                       fields={"subject": "state", "status": "status"},
                                       treaty={"id": "T-1", "title": "Treaty on Test Parties"}),
                          hook(f"{server.base}/fast", "fast"), hook(f"{server.base}/slow", "slow", timeout="60s"),
                          defaults={**QUICK, "interval": "1s", "jitter": "0s"})
    assert run_cli("--config", str(path), "check").returncode == 0  # baseline
    rows[0]["status"] = "Ratified"
    rows.append({"code": "RU", "state": "Russian Federation", "status": "Withdrawal notified"})

    daemon = Daemon(path)
    try:
        daemon.wait_for(lambda: len(fast) == 2 and len(slow) == 1, what="events committed and sent")
        # The daemon logs a delivery after its "sent" row is committed.
        daemon.wait_for(lambda: sum("delivered" in line and " to fast:" in line for line in daemon.lines) == 2,
                        what="the fast channel's deliveries committed as sent")
        daemon.stop(signal.SIGKILL)
    finally:
        slow_once["armed"] = False
        release.set()
    events = json.loads(run_cli("--config", str(path), "events", "--json").stdout)
    ids = {e["id"] for e in events}
    assert len(ids) == 2
    daemon = Daemon(path)
    try:
        daemon.wait_for(lambda: set(slow) == ids, what="every event at the slow receiver")
    finally:
        daemon.stop()
    assert set(slow) == ids  # every event reached the slow receiver, duplicates share their key
    assert sorted(fast) == sorted(ids)  # nothing already sent was sent again
    statuses = json.loads(run_cli("--config", str(path), "deliveries", "--json").stdout)
    assert {d["status"] for d in statuses} == {"sent"} and len(statuses) == 4


def test_apprise_channel_delivers_through_an_apprise_url(tmp_path, server):
    server.routes["/apprise"] = Reply(200, "{}", {"Content-Type": "application/json"})
    _, _, state, deliverer = setup(tmp_path, channel_table("chat", "apprise",
                                                           urls=[f"json://127.0.0.1:{server.port}/apprise"]))
    store(state, denunciation())
    assert [r.outcome for r in deliver(deliverer)] == ["sent"]
    [hit] = server.hits("/apprise")
    message = json.loads(hit.body)
    assert message["title"].startswith("Denunciation: Russian Federation")
    assert "Official link: https://www.coe.int/chart?treatynum=126" in message["message"]
    server.routes["/apprise"] = Reply(500)
    store(state, denunciation("126:UKR", "Ukraine"))
    assert [r.outcome for r in asyncio.run(deliverer.deliver_due())] == ["retry"]
