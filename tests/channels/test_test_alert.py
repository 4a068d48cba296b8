"""`test-alert` sends through the deliverer: signed like a delivery, reported like one, stored nowhere."""

from __future__ import annotations

import json

from helpers.cli import run_cli
from helpers.config import hook, monitor_config
from helpers.delivery import SECRET, verify
from helpers.http import Reply


def test_a_test_alert_is_signed_like_a_delivery_and_leaves_no_trace_in_the_state(tmp_path, server):
    server.routes["/hook"] = Reply(204)
    server.routes["/spare"] = Reply(200)
    path = monitor_config(tmp_path, hook(f"{server.base}/hook", secret_env="LM_WEBHOOK_SECRET"),
                          hook(f"{server.base}/spare", name="spare", enabled=False))
    result = run_cli("--config", str(path), "test-alert", env={"LM_WEBHOOK_SECRET": SECRET})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["hook: ok: HTTP 204"]  # the disabled channel is left alone
    [hit] = server.hits("/hook")
    assert verify(hit.headers, hit.body)
    assert hit.headers["X-Legal-Monitor-Delivery"].startswith("test-")
    payload = json.loads(hit.body)
    assert (payload["type"], payload["subject"], payload["details"]) == ("denunciation", "Testland", {"test": True})
    assert not (tmp_path / "state.db").exists()  # nothing stored: no event, no delivery
    # Named, a disabled channel is tested too, in the order given.
    result = run_cli("--config", str(path), "test-alert", "--channel", "spare", "--channel", "hook",
                     env={"LM_WEBHOOK_SECRET": SECRET})
    assert result.stdout.splitlines() == ["spare: ok: HTTP 200", "hook: ok: HTTP 204"]
    assert len(server.hits("/spare")) == 1 and len(server.hits("/hook")) == 2


def test_a_test_alert_to_an_unreachable_channel_or_an_unknown_name_is_a_clear_failure(tmp_path, server):
    server.routes["/hook"] = Reply(200)
    path = monitor_config(tmp_path, hook(f"{server.base}/hook"),
                          hook("http://127.0.0.1:9/closed", name="closed", retry_base="10ms"))
    result = run_cli("--config", str(path), "test-alert")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "hook: ok: HTTP 200" and lines[1].startswith("closed: FAILED: ")
    assert "Traceback" not in result.stderr
    unknown = run_cli("--config", str(path), "test-alert", "--channel", "nope")
    assert unknown.returncode == 2
    assert "unknown channel 'nope' (known: hook, closed)" in unknown.stderr
    assert len(server.hits("/hook")) == 1  # nothing sent when a name is wrong
