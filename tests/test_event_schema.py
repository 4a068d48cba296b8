"""The published event@1 JSON Schema: shipped in the package and in docs/, and every JSON
document of an event that the project gives (/events.json, `events --json`) matches it."""

from __future__ import annotations

import json

import httpx

from helpers.cli import Daemon, run_cli
from helpers.config import json_source_config
from helpers.delivery import denunciation
from helpers.http import LocalServer, Reply, free_port
from helpers.paths import ROOT
from helpers.schema import SCHEMA_FILE, assert_valid, schema_errors
from monitor.payload import SCHEMA_URI, payload, schema_text


def test_the_schema_ships_in_the_package_and_in_the_docs():
    shipped = json.loads(schema_text())
    assert shipped == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped["$id"] == SCHEMA_URI == payload(denunciation())["schema_uri"]
    assert (ROOT / "docs" / "schemas" / "event-1.schema.json").read_bytes() == SCHEMA_FILE.read_bytes()
    # That the wheel carries it: tests/test_package.py builds one.


def test_the_schema_rejects_what_a_receiver_could_not_use():
    good = payload(denunciation())
    assert_valid(good)
    assert schema_errors({k: v for k, v in good.items() if k != "id"}) == ["(root): 'id' is a required property"]
    assert schema_errors({**good, "url": "javascript:alert(1)"})
    assert schema_errors({**good, "detected_at": "yesterday"})
    assert schema_errors({**good, "treaty": None})
    # Version 1 only gains fields: a member the schema does not know is allowed.
    assert_valid({**good, "added_in_a_later_release": 1})


def test_events_json_and_cli_events_json_match_the_schema(tmp_path, server):
    rows = [{"code": "FR", "state": "France", "status": "Signatory"}]
    server.routes["/p.json"] = lambda seen: Reply(200, json.dumps(rows))
    port = free_port()
    config = json_source_config(tmp_path, f"{server.base}/p.json", f"""
        treaty = {{ id = "T-1", title = "Treaty on Test Parties", url = "https://treaties.example.org/t-1" }}
        [http]
        listen = "127.0.0.1:{port}"
        """, fields='{ subject = "state", status = "status" }')
    assert run_cli("--config", str(config), "check").returncode == 0  # the baseline
    rows[0]["status"] = "Ratified"
    rows.append({"code": "RU", "state": "Russian Federation", "status": "Withdrawal notified"})
    server.routes["/p.json"] = lambda seen: Reply(200, json.dumps(rows))
    assert run_cli("--config", str(config), "check").returncode == 0
    listed = json.loads(run_cli("--config", str(config), "events", "--json").stdout)
    assert {"ratification", "denunciation"} <= {e["type"] for e in listed}
    assert_valid(*listed)
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("HTTP endpoint"), what="the HTTP endpoint")
        answer = httpx.get(f"http://127.0.0.1:{port}/events.json", timeout=10)
    finally:
        daemon.stop()
    served = answer.json()
    assert answer.status_code == 200 and served
    assert_valid(*served)
    assert {e["id"] for e in served} <= {e["id"] for e in listed}


def test_every_event_posted_to_a_test_server_is_checked_against_the_schema():
    """The `server` fixture fails a test whose deliveries break the schema, in every test file."""
    local = LocalServer().start()
    try:
        local.routes["/hook"] = Reply(200)
        good = payload(denunciation())
        for body in (good, {k: v for k, v in good.items() if k != "id"}, {"text": "a Slack message"},
                     {"specversion": "1.0", "data": {**good, "detected_at": "soon"}}):
            assert httpx.post(f"{local.base}/hook", json=body, timeout=10).status_code == 200
    finally:
        local.stop()
    assert local.schema_errors == ["(root): 'id' is a required property",
                                   "detected_at: 'soon' is not a 'date-time'"]
