"""Events as receivers see them: the JSON form and operational events."""

from __future__ import annotations

from monitor.events import Event, Treaty, event_id, ops_event


def test_an_event_without_a_treaty_still_has_the_treaty_object_with_nulls():
    data = Event(id="e1", type="record_added", source="chart", key="Spain").to_dict()
    assert data["treaty"] == {"id": None, "title": None, "url": None}
    assert (data["id"], data["type"], data["source"], data["key"]) == ("e1", "record_added", "chart", "Spain")


def test_an_event_with_a_treaty_keeps_it():
    treaty = Treaty("ETS No. 126", "European Convention for the Prevention of Torture",
                    "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126")
    data = Event(id="e2", type="denunciation", source="coe", key="126:RUS", treaty=treaty).to_dict()
    assert data["treaty"] == {"id": "ETS No. 126", "title": "European Convention for the Prevention of Torture",
                              "url": treaty.url}


def test_an_operational_event_names_its_source_and_incident():
    event = ops_event("source_failing", "un", "2026-11-26T10:00:00.000+00:00", "un: 3 failed checks in a row",
                      "2026-11-26T10:05:00.000+00:00", {"failures": 3})
    assert event.id == event_id("un", "", "source_failing", "2026-11-26T10:00:00.000+00:00")
    assert (event.type, event.source, event.key) == ("source_failing", "un", "")
    assert event.title == event.summary == "un: 3 failed checks in a row"
    assert event.detected_at == "2026-11-26T10:05:00.000+00:00"
    assert event.details == {"failures": 3}
    assert ops_event("source_recovered", "un", "x", "t", "now").details == {}
    # Another incident of the same source is another event; the same incident is the same one.
    assert ops_event("source_failing", "un", "2026-11-27T00:00:00.000+00:00", "t", "now").id != event.id
    assert ops_event("source_failing", "un", "2026-11-26T10:00:00.000+00:00", "t", "later").id == event.id
