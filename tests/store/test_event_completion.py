"""A later report of a known event fills in what the first lacked, and is never a second alert."""

from __future__ import annotations

from monitor.events import Event, Treaty, event_id
from monitor.store import SuccessfulCheck, open_state

NOW = "2026-12-01T10:00:00.000+00:00"


def record(state, event: Event, at: str) -> list[Event]:
    return state.record_success(SuccessfulCheck(
        source="un", kind="untc", started_at=at, duration=0.1, outcome="changed", bytes=1, requests=1,
        not_modified=0, documents=[], memo={}, events=[event]))


def stored(state, ident: str) -> dict:
    return state.rows("select * from events where id = ?", [ident])[0]


def test_a_known_event_reported_again_gains_what_it_lacked_and_keeps_what_it_had(tmp_path):
    state = open_state(tmp_path / "state.db")
    ident = event_id("un", "XXVII-7-d:Hungary", "denunciation", "CN.1.2027")
    first = Event(id=ident, type="denunciation", source="un", key="XXVII-7-d:Hungary", subject="Hungary",
                  title="Hungary: withdrawal", url="https://treaties.un.org/doc/Publication/CN/2027/CN.1.2027-Eng.pdf",
                  date="2027-01-05", detected_at=NOW)
    later = Event(id=ident, type="denunciation", source="un", key="XXVII-7-d:Hungary", subject="Hungary (status)",
                  title="Hungary: withdrawal (status)", url="https://treaties.un.org/Pages/ViewDetails.aspx",
                  date="2027-01-04", effective_date="2028-01-05", treaty=Treaty("XXVII-7-d", "Paris Agreement"),
                  detected_at="2026-12-01T11:00:00.000+00:00")
    try:
        record(state, first, NOW)
        record(state, later, "2026-12-01T11:00:00.000+00:00")
        row = stored(state, ident)
        assert state.rows("select count(*) as n from events")[0]["n"] == 1
        # filled in: what the first report lacked
        assert row["effective_date"] == "2028-01-05" and "Paris Agreement" in row["treaty"]
        # kept: everything the first report said, its link to the notification above all
        assert (row["subject"], row["date"], row["url"], row["detected_at"]) == (
            "Hungary", "2027-01-05", first.url, NOW)
        assert row["title"] == "Hungary: withdrawal"
    finally:
        state.close()
