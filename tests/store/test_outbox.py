"""The outbox: each new event queued once per channel, failures reported once, chosen retries."""

from __future__ import annotations

import pytest

from helpers.cli import run_cli
from helpers.config import hook
from helpers.delivery import deliver, denunciation, setup, store
from helpers.http import Reply
from monitor.clock import utcnow
from monitor.events import OPS_TYPES, TREATY_TYPES, Event


def test_an_event_stored_twice_is_new_once_and_delivered_once(tmp_path, server):
    server.routes["/hook"] = Reply(200)
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook"))
    first, _, _ = store(state, denunciation())
    again, _, _ = store(state, denunciation())
    assert [e.id for e in first] == ["ev-126:RUS"] and again == []
    assert [r.outcome for r in deliver(deliverer)] == ["sent"]
    assert len(server.hits("/hook")) == 1 and len(state.outbox.deliveries()) == 1


def test_a_failed_delivery_failed_alert_raises_no_further_alert(tmp_path, server):
    server.routes["/hook"] = Reply(404, "no such hook")
    server.routes["/ops"] = Reply(404, "no such hook either")
    _, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook") +
                                   hook(f"{server.base}/ops", name="ops", ops=True, events=["ratification"]))
    store(state, denunciation())
    assert sorted(r.outcome for r in deliver(deliverer)) == ["failed"]
    # The failure raised one delivery_failed event, queued for the ops channel, which fails too.
    assert [e.type for e in state.events(types=["delivery_failed"])] == ["delivery_failed"]
    assert [r.outcome for r in deliver(deliverer)] == ["failed"]
    assert [e.type for e in state.events(types=["delivery_failed"])] == ["delivery_failed"]
    assert deliver(deliverer) == []


def test_retry_puts_back_only_the_chosen_failed_deliveries(tmp_path, server):
    server.routes["/hook"] = Reply(404)
    path, _, state, deliverer = setup(tmp_path, hook(f"{server.base}/hook", retry_base="10ms"))
    store(state, denunciation("126:RUS"), denunciation("126:UKR", "Ukraine"))
    assert [r.outcome for r in deliver(deliverer)] == ["failed", "failed"]
    failed = {d.event_id: d.id for d in state.outbox.deliveries("failed")}
    server.routes["/hook"] = Reply(200)
    result = run_cli("--config", str(path), "deliveries", "retry", failed["ev-126:UKR"])
    assert result.returncode == 0, result.stderr
    assert f"delivery {failed['ev-126:UKR']} to hook: sent: HTTP 200" in result.stdout  # sent at once
    assert [d.event_id for d in state.outbox.deliveries("sent")] == ["ev-126:UKR"]
    assert [d.event_id for d in state.outbox.deliveries("failed")] == ["ev-126:RUS"]
    assert deliver(deliverer) == [] and len(server.hits("/hook")) == 3


@pytest.mark.parametrize("event_type", OPS_TYPES)
def test_operational_events_go_to_every_channel_unless_it_says_ops_false(tmp_path, event_type):
    _, config, state, _ = setup(tmp_path, hook("http://127.0.0.1:9/a", name="alerts", ops=False) +
                                hook("http://127.0.0.1:9/o", name="ops", events=["ratification"]))
    alerts, ops = config.channels
    event = Event(id="x", type=event_type, source="coe", key="", detected_at=utcnow())
    assert (alerts.wants(event), ops.wants(event)) == (False, True)


@pytest.mark.parametrize("event_type", TREATY_TYPES)
def test_treaty_events_go_to_default_channels(tmp_path, event_type):
    _, config, state, _ = setup(tmp_path, hook("http://127.0.0.1:9/a", name="alerts") +
                                hook("http://127.0.0.1:9/o", name="ops", ops=True, events=["ratification"]))
    alerts, ops = config.channels
    event = Event(id="x", type=event_type, source="coe", key="k", detected_at=utcnow())
    assert alerts.wants(event) is True
    assert ops.wants(event) is (event_type == "ratification")
