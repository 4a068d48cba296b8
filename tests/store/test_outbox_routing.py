"""The state's outbox decides who gets a new event, inside the transaction that stores it."""

from __future__ import annotations

import pytest

from helpers.config import hook
from helpers.delivery import denunciation, setup
from monitor.errors import StateError
from monitor.store import SuccessfulCheck, open_state

T0 = "2026-08-05T10:00:00+00:00"


def check(*events, at=T0) -> SuccessfulCheck:
    return SuccessfulCheck(source="coe", kind="coe", started_at=at, duration=0.1, outcome="changed", bytes=0,
                           requests=0, not_modified=0, documents=[], memo={}, events=list(events))


def test_a_state_opened_without_channels_stores_events_and_queues_nothing(tmp_path):
    state = open_state(tmp_path / "state.db")
    new, _, _ = state.record_success(check(denunciation()))
    assert [e.id for e in new] == ["ev-126:RUS"] and state.outbox.deliveries() == []


def test_an_event_whose_deliveries_cannot_be_written_is_not_stored_either(tmp_path):
    _, _, state, _ = setup(tmp_path, hook("http://127.0.0.1:9/a", name="alerts"))
    state.conn.execute("create trigger full before insert on deliveries begin select raise(abort, 'disk full'); end")
    with pytest.raises(StateError, match="disk full"):
        state.record_success(check(denunciation()))
    assert state.events() == [] and state.source_row("coe") is None
    assert state.write_error is not None and "disk full" in state.write_error[1]  # /healthz says so
    state.conn.execute("drop trigger full")
    new, _, _ = state.record_success(check(denunciation()))  # the next check finds it new, and queues it
    assert [e.id for e in new] == ["ev-126:RUS"]
    assert [(d.event_id, d.channel) for d in state.outbox.deliveries()] == [("ev-126:RUS", "alerts")]
    assert state.write_error is None


def test_stories_first_sends_a_story_once_per_channel_and_each_to_the_others(tmp_path):
    channels = (hook("http://127.0.0.1:9/a", name="first", stories="first") +
                hook("http://127.0.0.1:9/b", name="each"))
    _, _, state, _ = setup(tmp_path, channels)
    opening, sequel, other = denunciation("126:RUS"), denunciation("126:RUS:2"), denunciation("126:UKR", "Ukraine")
    opening.story = sequel.story = "story-126-RUS"
    state.record_success(check(opening, other))
    state.record_success(check(sequel, at="2026-08-06T10:00:00+00:00"))
    queued = sorted((d.channel, d.event_id) for d in state.outbox.deliveries())
    assert queued == [("each", "ev-126:RUS"), ("each", "ev-126:RUS:2"), ("each", "ev-126:UKR"),
                      ("first", "ev-126:RUS"), ("first", "ev-126:UKR")]
