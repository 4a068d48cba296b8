"""Webhook requests as standard clients read them: Standard Webhooks signatures, the docs' own
verification recipe, RFC 8941 Idempotency-Key, CloudEvents 1.0, and the event@1 JSON Schema."""

from __future__ import annotations

import base64
import json
import re

import http_sfv
import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from cloudevents.v1.http import from_http as v1_from_http
from standardwebhooks import Webhook, WebhookVerificationError

from helpers.cli import run_cli
from helpers.config import hook, monitor_config
from helpers.delivery import SECRET, deliver, deliver_until, denunciation, setup, store
from helpers.http import Reply
from helpers.paths import ROOT
from helpers.schema import assert_valid
from monitor.clock import utcnow
from monitor.events import EVENT_TYPES, OPS_TYPES, make_event, ops_event

WHSEC = "whsec_" + base64.b64encode(b"sixteen-plus-random-bytes!").decode()


def docs_recipe() -> dict:
    """The plain-Python `verify` of docs/webhooks.md, run as a receiver would paste it."""
    text = (ROOT / "docs" / "webhooks.md").read_text(encoding="utf-8")
    code = re.search(r"<!-- recipe: verify -->\n```python\n(.*?)```", text, re.S)
    assert code, "docs/webhooks.md lost its verification recipe"
    namespace: dict = {}
    exec(code.group(1), namespace)
    return namespace


def every_type_of_event() -> list:
    """One event of each type, as the kinds and the monitor itself make them."""
    events = []
    for event_type in EVENT_TYPES:
        if event_type in OPS_TYPES:
            events.append(ops_event(event_type, "coe", "2026-01-01T00:00:00+00:00", f"{event_type} on coe",
                                    utcnow(), {"error": "HTTP 503"}))
        else:
            events.append(make_event("coe", "126:RUS", event_type, (event_type,), subject="Russian Federation",
                                     url="https://www.coe.int/chart?treatynum=126", date="2025-09-29",
                                     details={"field": "note", "old": None, "new": "x"}, detected_at=utcnow()))
    return events


def test_standard_webhooks_library_verifies_every_delivery_and_retries_keep_the_id(tmp_path, server, monkeypatch):
    server.routes["/hook"] = lambda seen: Reply(503 if len(server.hits("/hook")) == 1 else 200)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", secret_env="LM_WEBHOOK_SECRET",
                                                  retry_base="100ms"), monkeypatch)
    store(state, denunciation())
    outcomes = deliver_until(deliverer, lambda outcomes: "sent" in outcomes)
    assert outcomes[0] == "retry" and outcomes[-1] == "sent"
    hits = server.hits("/hook")
    assert len(hits) >= 2
    receiver = Webhook(SECRET.encode())  # a text secret is given to the library as its bytes
    for hit in hits:
        assert receiver.verify(hit.body, hit.headers)["id"] == "ev-126:RUS"
        assert hit.headers["webhook-signature"].startswith("v1,")
        # The deprecated headers are still there for older receivers.
        assert hit.headers["X-Legal-Monitor-Delivery"] == hit.headers["webhook-id"]
        assert hit.headers["X-Legal-Monitor-Timestamp"] == hit.headers["webhook-timestamp"]
        assert hit.headers["X-Legal-Monitor-Signature"].startswith("sha256=")
    assert len({hit.headers["webhook-id"] for hit in hits}) == 1
    with pytest.raises(WebhookVerificationError):
        receiver.verify(hits[0].body.replace(b"Russian", b"Belarus"), hits[0].headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(b"another secret").verify(hits[0].body, hits[0].headers)


def one_delivery(tmp_path, server, monkeypatch, secret: str):
    """The request a receiver gets for one denunciation from a channel signing with `secret`."""
    server.routes["/hook"] = Reply(204)
    monkeypatch.setenv("LM_SIGNING_SECRET", secret)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", secret_env="LM_SIGNING_SECRET"))
    store(state, denunciation())
    deliver(deliverer)
    (hit,) = server.hits("/hook")
    return hit


def test_a_whsec_secret_is_decoded_as_the_library_reads_it(tmp_path, server, monkeypatch):
    hit = one_delivery(tmp_path, server, monkeypatch, WHSEC)
    assert Webhook(WHSEC).verify(hit.body, hit.headers)["subject"] == "Russian Federation"
    with pytest.raises(WebhookVerificationError):  # signed with the decoded bytes, not the text
        Webhook(WHSEC.encode()).verify(hit.body, hit.headers)


@pytest.mark.parametrize("secret", [SECRET, WHSEC])
def test_the_docs_recipe_verifies_a_real_delivery(tmp_path, server, monkeypatch, secret):
    hit = one_delivery(tmp_path, server, monkeypatch, secret)
    verify = docs_recipe()["verify"]
    assert verify(secret, hit.headers, hit.body)
    assert not verify(secret, hit.headers, hit.body.replace(b"126", b"127"))
    wrong = "whsec_" + base64.b64encode(b"another secret").decode() if secret == WHSEC else secret + "x"
    assert not verify(wrong, hit.headers, hit.body)
    assert not verify(secret, hit.headers, hit.body, tolerance=-1)  # too old: a replay


def test_a_whsec_secret_that_is_not_base64_is_refused_at_load(tmp_path):
    path = monitor_config(tmp_path, hook("http://127.0.0.1:9/hook", secret_env="LM_BAD"))
    result = run_cli("--config", str(path), "validate", env={"LM_BAD": "whsec_not*base64!"})
    assert result.returncode == 2
    assert 'channels[0] ("hook").secret_env: the secret starts with whsec_ but what follows is not base64' \
        in result.stderr
    assert "not*base64" not in result.stderr + result.stdout  # the secret is never shown


def test_idempotency_key_is_an_rfc8941_string_of_the_event_id(tmp_path, server):
    server.routes["/hook"] = Reply(200)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook"))
    odd = make_event("coe", 'a "quoted" \\ key', "ratification", detected_at=utcnow())
    odd.id = 'ev "quoted" \\ id'
    store(state, denunciation(), odd)
    deliver(deliverer)
    keys = {}
    for hit in server.hits("/hook"):
        item = http_sfv.Item()
        item.parse(hit.headers["Idempotency-Key"].encode())
        keys[json.loads(hit.body)["id"]] = item.value
        assert "webhook-signature" not in hit.headers and hit.headers["webhook-id"]  # unsigned without a secret
    assert keys == {"ev-126:RUS": "ev-126:RUS", 'ev "quoted" \\ id': 'ev "quoted" \\ id'}


def test_cloudevents_deliveries_parse_with_the_sdk(tmp_path, server, monkeypatch):
    server.routes["/ce"] = Reply(202)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/ce", format="cloudevents", ops=True,
                                                  events=[t for t in EVENT_TYPES if t not in OPS_TYPES], secret_env="LM_WEBHOOK_SECRET"),
                                   monkeypatch)
    events = every_type_of_event()
    store(state, *events)
    deliver(deliverer)
    hits = server.hits("/ce")
    assert len(hits) == len(EVENT_TYPES)
    seen = {}
    for hit in hits:
        assert hit.headers["Content-Type"] == "application/cloudevents+json; charset=utf-8"
        Webhook(SECRET.encode()).verify(hit.body, hit.headers)
        event = from_http_event(HTTPMessage(headers=hit.headers, body=hit.body))
        assert event.get_specversion() == "1.0" and event.get_source() == "urn:legal-monitor:source:coe"
        assert event.get_dataschema() == "urn:legal-monitor:schema:event@1"
        assert event.get_time() is not None
        data = event.get_data()
        assert_valid(data)
        assert data["id"] == event.get_id()
        seen[data["type"]] = (event.get_type(), event.get_subject())
        legacy = v1_from_http(hit.headers, hit.body)  # the SDK's older API reads it alike
        assert legacy["id"] == event.get_id() and legacy["type"] == event.get_type()
    assert seen["denunciation"] == ("org.legalmonitor.treaty.denunciation", "Russian Federation")
    assert seen["record_changed"] == ("org.legalmonitor.record.changed", "Russian Federation")
    assert seen["source_failing"] == ("org.legalmonitor.ops.source_failing", None)
    assert len({ce_type for ce_type, _ in seen.values()}) == len(EVENT_TYPES)


def test_json_bodies_of_every_type_match_the_published_schema(tmp_path, server):
    server.routes["/hook"] = Reply(200)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", ops=True, events=[t for t in EVENT_TYPES if t not in OPS_TYPES]))
    store(state, *every_type_of_event())
    deliver(deliverer)
    bodies = [json.loads(hit.body) for hit in server.hits("/hook")]
    assert sorted(body["type"] for body in bodies) == sorted(EVENT_TYPES)
    assert_valid(*bodies)
    assert {body["schema_uri"] for body in bodies} == {"urn:legal-monitor:schema:event@1"}
