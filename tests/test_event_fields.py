"""What an event carries to a reader: only web links, no control characters, the changed
fields it is about, and the labels and types that decide where it goes."""

from __future__ import annotations

import pytest

from monitor.events import (
    EVENT_TYPES,
    LABELS,
    OPS_TYPES,
    RECORD_TYPES,
    TREATY_TYPES,
    Event,
    Treaty,
    changes_of,
    event_id,
)


def test_links_that_are_not_http_are_dropped_from_the_event_and_its_treaty():
    event = Event(id="e", type="ratification", source="coe", key="k", url="javascript:alert(1)",
                  treaty=Treaty("ETS 5", "Convention", "file:///etc/passwd"))
    assert event.url is None and event.treaty == Treaty("ETS 5", "Convention", None)
    kept = Event(id="e", type="ratification", source="coe", key="k", url=" https://www.coe.int/a b ",
                 treaty=Treaty(url="https://www.coe.int/t"))
    assert (kept.url, kept.treaty.url) == ("https://www.coe.int/a%20b", "https://www.coe.int/t")
    assert kept.treaty.id is None and kept.treaty.title is None


def test_control_characters_are_removed_from_every_text_a_reader_sees():
    event = Event(id="e", type="denunciation", source="coe", key="126:RUS", title="Denun\x1b[31mciation\x07",
                  subject="Russian\rFederation", summary="ETS\x00 126", treaty=Treaty("ETS\x08 126", "Torture\x1b"),
                  details={"note\x07": ["a\x00b", {"c": "d\x1b"}], "n": 3})
    assert (event.title, event.subject, event.summary) == ("Denun[31mciation", "Russian Federation", "ETS 126")
    assert (event.treaty.id, event.treaty.title) == ("ETS 126", "Torture")
    assert event.details == {"note": ["ab", {"c": "d"}], "n": 3}
    # Tabs and newlines are text, not controls; empty texts stay as they are.
    plain = Event(id="e", type="record_added", source="s", key="k", title="a\tb\nc", subject="", summary=None)
    assert (plain.title, plain.subject, plain.summary) == ("a\tb\nc", "", None)


def test_the_json_form_keeps_every_field():
    event = Event(id="e", type="ratification", source="coe", key="k", title="t", subject="s", summary="m",
                  url="https://x.example/", date="2026-01-02", effective_date="2026-05-01", date_text="2 Jan 2026",
                  treaty=Treaty("1", "T", "https://x.example/t"), details={"a": 1}, detected_at="now", story="st")
    assert event.to_dict() == {
        "id": "e", "type": "ratification", "source": "coe", "key": "k", "title": "t", "subject": "s",
        "summary": "m", "url": "https://x.example/", "date": "2026-01-02", "effective_date": "2026-05-01",
        "date_text": "2 Jan 2026", "treaty": {"id": "1", "title": "T", "url": "https://x.example/t"},
        "details": {"a": 1},
        "detected_at": "now", "story": "st", "related": [], "related_total": 0, "hold": None}


@pytest.mark.parametrize("details, changes", [
    ({"changed": {"ratification": {"old": None, "new": "2026-01-02"}}, "field": "x", "old": 1},
     {"ratification": {"old": None, "new": "2026-01-02"}}),
    ({"field": "status", "old": "signed", "new": "ratified"}, {"status": {"old": "signed", "new": "ratified"}}),
    ({"field": "status", "old": "signed"}, {"status": {"old": "signed", "new": None}}),
    ({"field": 7, "new": "x"}, {"7": {"old": None, "new": "x"}}),
    ({"field": "status"}, {}),
    ({"changed": "ratification", "old": 1}, {}),
    ({"action": "ratification"}, {}),
    ({}, {}),
])
def test_an_event_names_the_fields_it_changed(details, changes):
    assert changes_of(Event(id="e", type="record_changed", source="s", key="k", details=details)) == changes


def test_an_event_with_no_details_names_no_changes():
    event = Event(id="e", type="record_changed", source="s", key="k")
    event.details = None
    assert changes_of(event) == {}


def test_every_event_type_has_a_label_and_one_family():
    assert set(LABELS) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == len(set(EVENT_TYPES)) == len(TREATY_TYPES) + len(RECORD_TYPES) + len(OPS_TYPES)
    assert OPS_TYPES == ("source_failing", "source_recovered", "structure_changed", "delivery_failed", "events_held")
    assert RECORD_TYPES == ("record_added", "record_changed", "record_removed")
    assert TREATY_TYPES == ("signature", "ratification", "entry_into_force", "denunciation", "suspension",
                            "reservation", "law_published", "notification")
    assert (LABELS["entry_into_force"], LABELS["record_removed"], LABELS["events_held"]) == (
        "Entry into force", "Removed record", "Events held")


def test_an_id_depends_on_every_part_of_the_action_and_on_nothing_else():
    base = event_id("coe", "126:RUS", "denunciation", "2025-10-22")
    assert len(base) == 32 and base == event_id("coe", "126:RUS", "denunciation", "2025-10-22")
    others = [event_id("un", "126:RUS", "denunciation", "2025-10-22"),
              event_id("coe", "126:UKR", "denunciation", "2025-10-22"),
              event_id("coe", "126:RUS", "ratification", "2025-10-22"),
              event_id("coe", "126:RUS", "denunciation", "2025-10-23"),
              event_id("coe", "126:RUS", "denunciation"),
              event_id("coe", "126:RUSdenunciation", "", "2025-10-22")]
    assert base not in others and len(set(others)) == len(others)
