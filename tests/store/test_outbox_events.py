"""The event store and the outbox as a reader of alerts sees them: an event stored once is
never new again, reads back as it was, and is queued once per wanting channel at the right
time; failures, recoveries and floods each raise one operational alert."""

from __future__ import annotations

import pytest

from helpers.config import email_channel, hook
from helpers.delivery import denunciation, setup
from monitor.clock import later
from monitor.events import Event, Treaty, ops_event
from monitor.store import SuccessfulCheck
from monitor.store.outbox import delivery_id

T0 = "2026-08-05T10:00:00+00:00"
ALERTS = hook("http://127.0.0.1:9/a", name="alerts", ops=False)
WITH_OPS = ALERTS + hook("http://127.0.0.1:9/o", name="ops", ops=True, events=["ratification"])


# --- the one place that reaches the outbox (the state's own, routing to its channels) ----------

def commit(state, *events, at=T0, source="coe", **fields):
    """Commit one successful check of `source` at `at` that found `events`; (new events,
    current records, failure streak)."""
    check = SuccessfulCheck(source=source, kind="coe", started_at=at, duration=0.1, outcome="changed", bytes=0,
                            requests=0, not_modified=0, documents=[], memo={}, events=list(events), **fields)
    return state.record_success(check)


def succeed(state, *events, **fields) -> list[Event]:
    return commit(state, *events, **fields)[0]


def fail(state, at, error="HTTP 500", source="coe", **fields):
    """Commit one failed check; (failure streak, the operational events it raised)."""
    return state.record_failure(source, "coe", at, 0.1, error, **fields)


def listing(state, status=None) -> list[dict]:
    """The deliveries, newest first, as `deliveries --json` shows them."""
    return [d.to_dict() for d in state.outbox.deliveries(status)]


def due(state, now, channels):
    return [(d.to_dict(), event) for d, event in state.outbox.due(now, channels)]


def mark_sent(state, delivery, now, status, detail):
    state.outbox.mark_sent(delivery, now, status, detail)


def mark_failed(state, delivery, now, status, error):
    return state.outbox.mark_failed(delivery, now, status, error)


# -------------------------------------------------------------------------------------------------

def queue(tmp_path, channels=ALERTS):
    """A state database whose outbox routes to `channels`."""
    return setup(tmp_path, channels)[2]


def pending(state) -> list[tuple[str, str]]:
    return sorted((d["event_id"], d["channel"]) for d in listing(state, "pending"))


def full_event(**changes) -> Event:
    event = Event(id="ev-full", type="ratification", source="coe", key="210:UKR", title="Ratification: Ukraine",
                  subject="Ukraine", summary="Ukraine ratified CETS No. 210 «Istanbul»",
                  url="https://www.coe.int/chart?treatynum=210", date="2022-07-18", effective_date="2022-11-01",
                  treaty=Treaty("CETS No. 210", "Istanbul Convention", "https://www.coe.int/cets210"),
                  details={"action": "ratification", "old": None, "new": "18/07/2022"},
                  detected_at=T0, story="st-210-UKR")
    for name, value in changes.items():
        setattr(event, name, value)
    return event


def test_an_event_already_stored_is_never_new_again_so_never_queued_or_sent_again(tmp_path):
    state = queue(tmp_path)
    assert [e.id for e in succeed(state, denunciation())] == ["ev-126:RUS"]
    mark_sent(state, delivery_id("ev-126:RUS", "alerts"), T0, 200, "ok")
    # The same action seen again (a re-fetch, a restart, a reworded page) is not news.
    reworded = denunciation(title="Denunciation (corrected)")
    assert succeed(state, reworded, at=later(T0, 3600)) == []
    assert [(d["event_id"], d["status"]) for d in listing(state)] == [("ev-126:RUS", "sent")]
    assert due(state, later(T0, 7200), ["alerts"]) == []
    assert [e.title for e in state.events()] == [denunciation().title]
    # Among new ones in a later check it is still left out.
    fresh = succeed(state, denunciation(), denunciation("126:UKR", "Ukraine"), at=later(T0, 7200))
    assert [e.id for e in fresh] == ["ev-126:UKR"]
    assert pending(state) == [("ev-126:UKR", "alerts")]


def test_an_event_reads_back_exactly_as_it_was_stored(tmp_path):
    state = queue(tmp_path)
    event = full_event()
    bare = Event(id="ev-bare", type="record_added", source="coe", key="k", detected_at=later(T0, -60))
    succeed(state, event, bare)
    assert state.events() == [full_event(), bare]
    [(row, due_event)] = due(state, T0, ["alerts"])
    assert due_event == full_event() and row["event_id"] == "ev-full"
    held = full_event(id="ev-held", hold="held")
    succeed(state, held, at=later(T0, 1))
    assert state.events(types=["ratification"])[0].hold == "held"


def test_events_are_listed_newest_first_and_filtered_by_time_type_and_source(tmp_path):
    state = queue(tmp_path)
    old = denunciation("126:RUS")
    old.detected_at = "2026-08-01T00:00:00+00:00"
    same_time = [full_event(id=f"ev-{n}", key=f"k{n}", source="un" if n == 2 else "coe") for n in range(3)]
    succeed(state, old, *same_time)
    assert [e.id for e in state.events()] == ["ev-2", "ev-1", "ev-0", "ev-126:RUS"]
    assert [e.id for e in state.events(since=T0)] == ["ev-2", "ev-1", "ev-0"]
    assert [e.id for e in state.events(since=later(T0, 1))] == []
    assert [e.id for e in state.events(types=["denunciation"])] == ["ev-126:RUS"]
    assert [e.id for e in state.events(types=["denunciation", "ratification"], limit=2)] == ["ev-2", "ev-1"]
    assert [e.id for e in state.events(sources=["un"])] == ["ev-2"]
    assert [e.id for e in state.events(sources=["coe", "un"], types=["ratification"], since=T0)] == [
        "ev-2", "ev-1", "ev-0"]


def test_deliveries_are_listed_newest_first_with_their_event_and_by_status(tmp_path):
    state = queue(tmp_path)
    succeed(state, denunciation("126:RUS"), denunciation("126:UKR", "Ukraine"))
    succeed(state, denunciation("126:FRA", "France"), at=later(T0, 60))
    mark_sent(state, delivery_id("ev-126:RUS", "alerts"), later(T0, 60), 200, "ok")
    rows = listing(state)
    assert [(d["event_id"], d["status"]) for d in rows] == [
        ("ev-126:FRA", "pending"), ("ev-126:UKR", "pending"), ("ev-126:RUS", "sent")]
    assert (rows[1]["type"], rows[1]["source"], rows[1]["subject"], rows[1]["title"]) == (
        "denunciation", "coe", "Ukraine", denunciation().title)
    assert [d["event_id"] for d in listing(state, "sent")] == ["ev-126:RUS"]
    assert [d["event_id"] for d in listing(state, "pending")] == ["ev-126:FRA", "ev-126:UKR"]
    assert listing(state, "failed") == []


def test_a_digest_channel_is_due_when_its_window_closes_and_expires_max_age_after(tmp_path, monkeypatch):
    monkeypatch.setenv("LM_SMTP_PASSWORD", "pw")
    state = queue(tmp_path, email_channel(2525, 'digest = "1h"\nmax_age = "2h"') + ALERTS)
    succeed(state, denunciation(), at="2026-08-05T10:20:00+00:00")
    rows = {d["channel"]: d for d in listing(state)}
    assert (rows["desk"]["next_attempt_at"], rows["desk"]["expires_at"], rows["desk"]["created_at"]) == (
        "2026-08-05T11:00:00.000+00:00", "2026-08-05T13:00:00.000+00:00", "2026-08-05T10:20:00+00:00")
    assert rows["alerts"]["next_attempt_at"] == "2026-08-05T10:20:00+00:00"  # no digest: at once
    assert [r["channel"] for r, _ in due(state, "2026-08-05T10:59:59.999+00:00", ["desk", "alerts"])] == ["alerts"]
    assert [r["channel"] for r, _ in due(state, "2026-08-05T11:00:00.000+00:00", ["desk"])] == ["desk"]
    # An event at the very start of a window waits for that window's end.
    succeed(state, denunciation("126:UKR", "Ukraine"), at="2026-08-05T11:00:00+00:00")
    assert {d["event_id"]: d["next_attempt_at"] for d in listing(state) if d["channel"] == "desk"} == {
        "ev-126:RUS": "2026-08-05T11:00:00.000+00:00", "ev-126:UKR": "2026-08-05T12:00:00.000+00:00"}


def test_a_held_event_is_stored_but_queued_for_no_channel(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    held = full_event(hold="held")
    assert [e.id for e in succeed(state, held)] == ["ev-full"]
    assert listing(state) == [] and due(state, T0, ["alerts", "ops"]) == []


def test_a_flood_holds_every_new_event_and_raises_one_events_held_alert_for_ops(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    succeed(state, denunciation("126:RUS"), max_events=2)
    flood = [denunciation(f"126:{c}", c) for c in ("RUS", "UKR", "FRA", "DEU")]
    new = succeed(state, *flood, at=later(T0, 60), max_events=2)
    assert sorted((e.id, e.hold) for e in new if e.type == "denunciation") == [
        ("ev-126:DEU", "held"), ("ev-126:FRA", "held"), ("ev-126:UKR", "held")]
    [alert] = [e for e in new if e.type == "events_held"]
    assert alert.details == {"count": 3, "limit": 2, "types": {"denunciation": 3}}
    assert pending(state) == sorted([("ev-126:RUS", "alerts"), (alert.id, "ops")])
    # The same page again: nothing new, nothing held twice, no second notice.
    assert succeed(state, *flood, at=later(T0, 120), max_events=2) == []
    # Within the limit, new events go out as usual.
    assert [e.hold for e in succeed(state, denunciation("126:ITA", "Italy"), at=later(T0, 180),
                                    max_events=2)] == [None]
    assert ("ev-126:ITA", "alerts") in pending(state)
    assert alert.detected_at == later(T0, 60)
    # A flood on another day is another notice.
    second = [denunciation(f"127:{c}", c) for c in ("RUS", "UKR", "FRA")]
    [notice] = [e for e in succeed(state, *second, at=later(T0, 86400), max_events=2)
                if e.type == "events_held"]
    assert notice.id != alert.id and notice.detected_at == later(T0, 86400)
    assert (notice.id, "ops") in pending(state)


def test_a_failure_streak_raises_one_source_failing_alert_at_the_threshold(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    start = T0
    assert fail(state, start, threshold=3) == (1, [])
    assert fail(state, later(T0, 60), "HTTP 502", threshold=3) == (2, [])
    streak, [alert] = fail(state, later(T0, 120), "HTTP 503", threshold=3)
    assert streak == 3
    assert (alert.type, alert.source, alert.title) == ("source_failing", "coe",
                                                       "coe failed 3 checks in a row: HTTP 503")
    assert alert.details == {"error": "HTTP 503", "failing_since": start, "failures": 3}
    assert alert.detected_at == later(T0, 120)
    assert alert.id == ops_event("source_failing", "coe", start, "", "").id
    assert pending(state) == [(alert.id, "ops")]
    assert fail(state, later(T0, 180), threshold=3) == (4, [])
    row = state.source_row("coe")
    assert (row["consecutive_failures"], row["failing_since"], row["last_error"], row["last_outcome"]) == (
        4, start, "HTTP 500", "failed")
    assert (row["kind"], row["created_at"], row["last_check"]) == ("coe", start, later(T0, 180))


def test_a_recovery_after_an_incident_raises_source_recovered_and_a_later_incident_is_new(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    [first] = fail(state, T0, threshold=1)[1]
    assert first.title == "coe failed 1 check in a row: HTTP 500"
    fail(state, later(T0, 60), threshold=1)
    [recovered] = succeed(state, at=later(T0, 120), threshold=1)
    assert (recovered.type, recovered.title) == ("source_recovered", "coe recovered after 2 failed checks")
    assert recovered.details == {"failing_since": T0, "failures": 2}
    assert recovered.detected_at == later(T0, 120)
    row = state.source_row("coe")
    assert (row["consecutive_failures"], row["failing_since"], row["last_error"]) == (0, None, None)
    assert (row["kind"], row["created_at"], row["last_check"], row["last_success"]) == (
        "coe", T0, later(T0, 120), later(T0, 120))
    assert succeed(state, at=later(T0, 180), threshold=1) == []
    # The next incident is another event, with another id.
    [second] = fail(state, later(T0, 240), threshold=1)[1]
    assert second.type == "source_failing" and second.id != first.id
    [again] = succeed(state, at=later(T0, 300), threshold=1)
    assert again.title == "coe recovered after 1 failed check"
    assert sorted(e for e, _ in pending(state)) == sorted([first.id, recovered.id, second.id, again.id])


def test_a_recovery_before_the_threshold_raises_nothing(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    fail(state, T0, threshold=3)
    fail(state, later(T0, 60), threshold=3)
    assert succeed(state, at=later(T0, 120), threshold=3) == []
    assert fail(state, later(T0, 180), threshold=3) == (1, [])
    assert listing(state) == []


def test_an_unknown_page_shape_raises_one_structure_changed_alert_per_incident(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    streak, [alert] = fail(state, T0, "no table", structural=True, threshold=3)
    assert streak == 1
    assert (alert.type, alert.title, alert.details) == (
        "structure_changed", "coe: the page no longer has the expected shape: no table", {"error": "no table"})
    assert alert.detected_at == T0
    assert fail(state, later(T0, 60), "no table", structural=True, threshold=3) == (2, [])
    # A check that keeps some parts but fails others counts as a failure of the same incident.
    new = succeed(state, at=later(T0, 120), threshold=3, error="part 2: no table", structural=True)
    assert [e.type for e in new] == ["source_failing"]
    assert state.source_row("coe")["consecutive_failures"] == 3
    assert pending(state) == sorted([(alert.id, "ops"), (new[0].id, "ops")])
    # Once recovered, the next unknown shape is another incident, with its own alert.
    succeed(state, at=later(T0, 180), threshold=3)
    streak, [later_alert] = fail(state, later(T0, 240), "no table", structural=True, threshold=3)
    assert (streak, later_alert.type, later_alert.detected_at) == (1, "structure_changed", later(T0, 240))
    assert later_alert.id != alert.id and (later_alert.id, "ops") in pending(state)


def test_a_check_whose_parts_show_an_unknown_shape_raises_structure_changed(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    succeed(state, at=later(T0, -60))
    new = succeed(state, denunciation(), error="part 2: no table", structural=True)
    assert sorted(e.type for e in new) == ["denunciation", "structure_changed"]
    assert ("ev-126:RUS", "alerts") in pending(state)


@pytest.mark.parametrize("first", [True, False])
def test_a_partly_failed_check_keeps_the_source_failing(tmp_path, first):
    state = queue(tmp_path, WITH_OPS)
    if not first:
        succeed(state, at=later(T0, -60))
        assert (state.source_row("coe")["kind"], state.source_row("coe")["created_at"]) == ("coe", later(T0, -60))
    new, _, streak = commit(state, denunciation(), error="part 2: HTTP 500", first=first)
    assert streak == 1 and [e.id for e in new] == ["ev-126:RUS"]
    row = state.source_row("coe")
    assert (row["last_error"], row["consecutive_failures"]) == ("part 2: HTTP 500", 1)
    assert row["last_success"] == (None if first else T0)


def test_a_delivery_that_fails_for_good_raises_its_alert_at_the_time_of_the_failure(tmp_path):
    state = queue(tmp_path, WITH_OPS)
    event = denunciation()
    event.detected_at = T0
    succeed(state, event)
    failed_at = later(T0, 900)
    [alert] = mark_failed(state, delivery_id("ev-126:RUS", "alerts"), failed_at, 410, "HTTP 410")
    assert alert.detected_at == failed_at
    assert [e.id for e in state.events(since=failed_at)] == [alert.id]
    assert pending(state) == [(alert.id, "ops")]


def test_a_delivery_id_is_pinned_so_an_upgrade_never_queues_a_sent_alert_again():
    # `deliveries retry ID` takes it, and the outbox refuses a second delivery with the same id.
    assert delivery_id("ab4d4d7fc24cb71f47a39a9aa6f235b9", "desk") == "dl_b7f42938bf726a382848c774"
    assert delivery_id("ev-126:RUS", "alerts") == "dl_56b08be7c952cf077de0f9cd"
