"""The party-table event rules every depositary kind shares: which change of a party's row is which alert."""

from __future__ import annotations

import pytest

from monitor.diff import Change
from monitor.events import Treaty
from monitor.sources.parties import TreatyContext, party_events, party_record, status_table

TREATY = TreatyContext(Treaty(id="X 1", title="The Convention", url="https://depositary.test/1"))
NOTICE = TreatyContext(TREATY.treaty, effective_basis="inferred: three months after the notice (Article X)")


def row(**fields):
    return party_record("1", "Ruritania", fields, "The Convention", "https://depositary.test/1")


def change(old=None, new=None) -> Change:
    kind = "added" if old is None else "removed" if new is None else "changed"
    fields = {} if kind != "changed" else {k: (old.fields.get(k), new.fields.get(k)) for k in new.fields
                                           if old.fields.get(k) != new.fields.get(k)}
    return Change(kind, (new or old).key, old, new, fields)


def kinds(events) -> list[tuple]:
    return [(e.type, e.date, e.effective_date) for e in events]


def test_each_new_date_is_its_action():
    old = row(signature="2020-01-02")
    new = row(signature="2020-01-02", consent="2021-03-04", action="accession", entry_into_force="2021-06-04")
    events = party_events("src", change(old, new), TREATY, "now")
    assert kinds(events) == [("ratification", "2021-03-04", None), ("entry_into_force", "2021-06-04", None)]
    assert "(accession) on 2021-03-04" in events[0].summary
    assert {(e.subject, e.treaty.id, e.url) for e in events} == {("Ruritania", "X 1", "https://depositary.test/1")}


def test_a_denunciation_names_its_date_its_effect_and_how_the_effect_was_found():
    old = row(consent="2000-01-01")
    [event] = party_events("src", change(old, row(consent="2000-01-01", denunciation="2026-01-05",
                                                  denunciation_effective="2026-04-05")), NOTICE, "now")
    assert kinds([event]) == [("denunciation", "2026-01-05", "2026-04-05")]
    assert event.details["effective_date_basis"].startswith("inferred")
    assert event.summary == ("Ruritania denounced The Convention on 2026-01-05; the denunciation takes effect on "
                             "2026-04-05.")


def test_the_same_denunciation_with_its_effect_filled_in_later_is_a_correction_not_a_second_alert():
    first = row(denunciation="2026-01-05")
    later = row(denunciation="2026-01-05", denunciation_effective="2027-01-05")
    [event] = party_events("src", change(first, later), TREATY, "now")
    assert event.type == "record_changed"
    assert event.details["changed"] == {"denunciation_effective": {"old": None, "new": "2027-01-05"}}
    again = party_events("src", change(row(), first), TREATY, "now")
    assert [e.id for e in again] == [e.id for e in party_events("src", change(row(), first), TREATY, "later")]


@pytest.mark.parametrize("old, new, expected", [
    (None, row(), "record_added"),
    (row(consent="2000-01-01"), None, "record_removed"),
    (row(consent="2000-01-01"), row(consent="2000-01-02"), "record_changed"),
    (row(), row(reservation="reservation"), "reservation"),
    (row(status="In Force"), row(status="Not in force"), "record_changed"),
])
def test_other_changes(old, new, expected):
    assert [e.type for e in party_events("src", change(old, new), TREATY, "now")] == [expected]


def test_a_new_row_with_dates_raises_its_actions_and_no_record_added():
    events = party_events("src", change(None, row(signature="2001-01-01", consent="2002-02-02")), TREATY, "now")
    assert [e.type for e in events] == ["signature", "ratification"]


def test_unknown_fields_are_refused():
    with pytest.raises(ValueError, match="unknown party fields"):
        party_record("1", "Ruritania", {"colour": "red"}, None, None)


def test_the_status_table_lists_every_party():
    records = [row(consent="2000-01-01", denunciation="2026-01-05", status="Not in force"),
               party_record("1", "Arcadia", {"signature": "1999-09-09"}, "The Convention", "https://depositary.test/1")]
    table = status_table("1", lambda ref: records if ref == "1" else [], {})
    assert [(r.participant, r.denunciation, r.notes) for r in table.rows] == [
        ("Arcadia", None, []), ("Ruritania", "2026-01-05", ["Not in force"])]
    assert (table.title, table.url) == ("The Convention", "https://depositary.test/1")
    assert status_table("2", lambda ref: [], {}) is None
