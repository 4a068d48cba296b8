"""The outbox's own rules, through its functions on a real state database: what is due, who
holds a send, what each outcome leaves behind, and which failures raise an alert."""

from __future__ import annotations

from helpers.config import hook
from helpers.delivery import denunciation, setup
from monitor.clock import later
from monitor.events import ops_event
from monitor.store import SuccessfulCheck
from monitor.store.outbox import delivery_id

T0 = "2026-08-05T10:00:00+00:00"


def queued(tmp_path, *events, channels=None, at=T0):
    """A state with `events` stored by one check at `at` and queued for the configured channels."""
    _, config, state, deliverer = setup(tmp_path, channels or hook("http://127.0.0.1:9/a", name="alerts"))
    check = SuccessfulCheck(source="coe", kind="coe", started_at=at, duration=0.1, outcome="changed", bytes=0,
                            requests=0, not_modified=0, documents=[], memo={}, events=list(events))
    state.record_success(check)
    return state, deliverer


def ids(rows) -> list[str]:
    return [event.id for _, event in rows]


def test_due_deliveries_come_with_their_whole_event_oldest_first(tmp_path):
    first, second = denunciation("126:RUS"), denunciation("126:UKR", "Ukraine")
    state, _ = queued(tmp_path, first, second)
    rows = state.outbox.due(T0, ["alerts"])
    assert ids(rows) == ["ev-126:RUS", "ev-126:UKR"]
    row, event = rows[0]
    assert row.id == delivery_id("ev-126:RUS", "alerts") and row.channel == "alerts"
    assert (event.type, event.subject, event.title, event.summary, event.url, event.date, event.effective_date) == (
        first.type, first.subject, first.title, first.summary, first.url, first.date, first.effective_date)
    assert event.treaty == first.treaty and event.details == first.details


def test_nothing_is_due_for_no_channel_another_channel_or_before_its_time(tmp_path):
    state, _ = queued(tmp_path, denunciation())
    assert state.outbox.due(T0, []) == []
    assert state.outbox.due(T0, ["ops"]) == []
    assert state.outbox.due(later(T0, -1), ["alerts"]) == []
    assert ids(state.outbox.due(later(T0, 1), ["alerts"])) == ["ev-126:RUS"]


def test_a_claimed_delivery_is_not_due_and_cannot_be_claimed_twice_until_the_claim_expires(tmp_path):
    state, _ = queued(tmp_path, denunciation())
    delivery = delivery_id("ev-126:RUS", "alerts")
    until = later(T0, 60)
    assert state.outbox.claim([delivery], T0, until) == {delivery}
    assert state.outbox.due(T0, ["alerts"]) == []
    assert state.outbox.claim([delivery], later(T0, 30), later(T0, 90)) == set()
    # The holder crashed: after the claim's end another process takes it over.
    assert ids(state.outbox.due(later(T0, 61), ["alerts"])) == ["ev-126:RUS"]
    assert state.outbox.claim([delivery], later(T0, 61), later(T0, 120)) == {delivery}


def test_released_claims_are_due_again_and_settled_deliveries_are_not_claimed(tmp_path):
    state, _ = queued(tmp_path, denunciation("126:RUS"), denunciation("126:UKR", "Ukraine"))
    rus, ukr = delivery_id("ev-126:RUS", "alerts"), delivery_id("ev-126:UKR", "alerts")
    assert state.outbox.claim([rus, ukr], T0, later(T0, 60)) == {rus, ukr}
    assert state.outbox.release_claims([ukr]) == 1
    assert ids(state.outbox.due(T0, ["alerts"])) == ["ev-126:UKR"]
    assert state.outbox.release_claims() == 1
    assert ids(state.outbox.due(T0, ["alerts"])) == ["ev-126:RUS", "ev-126:UKR"]
    state.outbox.mark_sent(rus, T0, 200, "ok")
    assert state.outbox.claim([rus], T0, later(T0, 60)) == set()
    assert state.outbox.release_claims() == 0


def test_each_outcome_is_recorded_once_and_a_retry_waits_for_its_time(tmp_path):
    state, _ = queued(tmp_path, denunciation("126:RUS"), denunciation("126:UKR", "Ukraine"))
    rus, ukr = delivery_id("ev-126:RUS", "alerts"), delivery_id("ev-126:UKR", "alerts")
    state.outbox.claim([rus, ukr], T0, later(T0, 60))
    state.outbox.mark_sent(rus, T0, 204, "ok")
    state.outbox.mark_retry(ukr, later(T0, 300), 503, "busy")
    rows = {d.id: d for d in state.outbox.deliveries()}
    assert (rows[rus].status, rows[rus].attempts, rows[rus].last_status, rows[rus].sent_at,
            rows[rus].claimed_until) == ("sent", 1, 204, T0, None)
    assert (rows[ukr].status, rows[ukr].attempts, rows[ukr].last_status, rows[ukr].last_error,
            rows[ukr].next_attempt_at, rows[ukr].claimed_until) == (
        "pending", 1, 503, "busy", later(T0, 300), None)
    assert state.outbox.due(later(T0, 299), ["alerts"]) == []
    assert ids(state.outbox.due(later(T0, 300), ["alerts"])) == ["ev-126:UKR"]
    # A late outcome for a delivery already settled changes nothing.
    state.outbox.mark_retry(rus, later(T0, 900), 500, "late")
    state.outbox.mark_sent(rus, later(T0, 5), 200, "again")
    [sent] = state.outbox.deliveries("sent")
    assert (sent.attempts, sent.sent_at, sent.last_status) == (1, T0, 204)


def test_a_failure_raises_one_delivery_failed_alert_naming_the_event_and_channel(tmp_path):
    channels = hook("http://127.0.0.1:9/a", name="alerts") + hook("http://127.0.0.1:9/o", name="ops", ops=True)
    state, deliverer = queued(tmp_path, denunciation(), channels=channels)
    delivery = delivery_id("ev-126:RUS", "alerts")
    [alert] = state.outbox.mark_failed(delivery, T0, 404, "HTTP 404")
    assert (alert.type, alert.source) == ("delivery_failed", "coe")
    assert alert.summary == "delivery of denunciation event to channel alerts failed: HTTP 404"
    assert alert.details == {"channel": "alerts", "event_id": "ev-126:RUS", "error": "HTTP 404",
                             "event_title": denunciation().title}
    assert alert.id == ops_event("delivery_failed", "coe", delivery, "", T0, {}).id
    failed = state.outbox.deliveries("failed")
    assert [(d.id, d.attempts, d.last_status, d.last_error) for d in failed] == [
        (delivery, 1, 404, "HTTP 404")]
    # The alert is stored and queued for the ops channel only.
    assert [e.id for e in state.events(types=["delivery_failed"])] == [alert.id]
    due = state.outbox.due(T0, ["alerts", "ops"])
    assert [row.channel for row, e in due if e.id == alert.id] == ["ops"]
    # The same failure reported again (a second process) raises nothing new.
    assert state.outbox.mark_failed(delivery, T0, 404, "HTTP 404") == []


def test_a_failed_delivery_failed_alert_and_an_unknown_delivery_raise_nothing(tmp_path):
    channels = hook("http://127.0.0.1:9/a", name="alerts") + hook("http://127.0.0.1:9/o", name="ops", ops=True)
    state, deliverer = queued(tmp_path, denunciation(), channels=channels)
    [alert] = state.outbox.mark_failed(delivery_id("ev-126:RUS", "alerts"), T0, 404, "x")
    ops_delivery = delivery_id(alert.id, "ops")
    assert state.outbox.mark_failed(ops_delivery, T0, 500, "ops down") == []
    assert [d.status for d in state.outbox.deliveries() if d.id == ops_delivery] == ["failed"]
    assert len(state.events(types=["delivery_failed"])) == 1
    assert state.outbox.mark_failed("dl_unknown", T0, 500, "x") == []


def test_retry_requeues_chosen_or_all_failed_deliveries_due_now_with_a_fresh_max_age(tmp_path):
    state, _ = queued(tmp_path, denunciation("126:RUS"), denunciation("126:UKR", "Ukraine"),
                      denunciation("126:FRA", "France"),
                      channels=hook("http://127.0.0.1:9/a", name="alerts", max_age="10m"))
    rus, ukr, fra = (delivery_id(f"ev-126:{c}", "alerts") for c in ("RUS", "UKR", "FRA"))
    state.outbox.mark_failed(rus, T0, 404, "x")
    state.outbox.mark_failed(ukr, T0, 404, "x")
    state.outbox.mark_sent(fra, T0, 200, "ok")
    now = later(T0, 3600)
    assert state.outbox.retry([ukr, fra], now) == 1
    row = {d.id: d for d in state.outbox.deliveries()}[ukr]
    assert (row.status, row.next_attempt_at, row.expires_at) == ("pending", now, later(now, 600.0))
    assert {d.id: d.status for d in state.outbox.deliveries()} == {rus: "failed", ukr: "pending", fra: "sent"}
    state.outbox.channels = []  # the channel left the config: the default max_age applies
    assert state.outbox.retry(None, now) == 1
    row = {d.id: d for d in state.outbox.deliveries()}[rus]
    assert (row.status, row.expires_at) == ("pending", later(now, 3 * 86400.0))
    assert ids(state.outbox.due(now, ["alerts"])) == ["ev-126:RUS", "ev-126:UKR"]


def test_a_new_event_is_queued_once_per_wanting_channel_with_that_channels_max_age(tmp_path):
    channels = (hook("http://127.0.0.1:9/a", name="alerts", max_age="1h") +
                hook("http://127.0.0.1:9/b", name="ratifications", events=["ratification"]))
    state, _ = queued(tmp_path, denunciation(), channels=channels)
    [row] = state.outbox.deliveries()
    assert (row.id, row.channel, row.status, row.attempts, row.created_at, row.next_attempt_at,
            row.expires_at) == (delivery_id("ev-126:RUS", "alerts"), "alerts", "pending", 0, T0, T0,
                                   later(T0, 3600))


def test_a_held_event_is_stored_but_not_queued(tmp_path):
    event = denunciation()
    event.hold = "flood"
    state, _ = queued(tmp_path, event)
    assert [(e.id, e.hold) for e in state.events()] == [("ev-126:RUS", "flood")]
    assert state.outbox.deliveries() == []
