"""The `untc` rules that decide which participant, note and treaty changes alert, and what they say."""

from __future__ import annotations

import pytest

from helpers.untc import source, treaty_part
from monitor.diff import Change
from monitor.records import Record
from monitor.sources.untc import is_withdrawal, match_participant, withdrawal_dates
from monitor.sources.untc.records import Parsed, RawNote, Row, build_records, note_record

REF = "IV-4"
TITLE = "International Covenant on Civil and Political Rights"


def participant(name: str, **fields) -> Record:
    base = {"participant": name, "signature": None, "consent": None, "consent_action": None, "history": None,
            "markers": None}
    return Record(f"{REF}:participant:{name}", base | fields, TITLE, "u")


def changed(old: Record, new: Record) -> Change:
    fields = {k: (old.fields.get(k), new.fields.get(k)) for k in set(old.fields) | set(new.fields)
              if old.fields.get(k) != new.fields.get(k)}
    return Change("changed", new.key, old, new, fields)


def events_of(change: Change):
    src = source(treaties=[REF])
    return src.events(change, treaty_part(src, REF), "2026-08-05T10:00:00+00:00")


# --- participants --------------------------------------------------------------------------------

def test_new_signature_is_a_signature_event_with_its_date_and_summary():
    old = participant("Fiji")
    new = participant("Fiji", signature="2016-09-21")
    events = events_of(changed(old, new))
    assert [(e.type, e.subject, e.date, e.details["action"]) for e in events] == [
        ("signature", "Fiji", "2016-09-21", "signature")]
    assert events[0].summary == f"Fiji: signature on 2016-09-21 ({TITLE})"
    assert events[0].key == f"{REF}:participant:Fiji"


def test_a_signature_seen_only_in_brackets_is_a_signature_not_a_ratification():
    old = participant("Fiji", consent="2018-08-16", consent_action="accession")
    new = participant("Fiji", consent="2018-08-16", consent_action="accession",
                      history="signature 2021-01-20 signature")
    events = events_of(changed(old, new))
    assert [(e.type, e.date, e.details["action"]) for e in events] == [("signature", "2021-01-20", "signature")]


def test_a_bracketed_re_acceptance_is_one_ratification_with_its_action():
    old = participant("Fiji", consent="2016-09-03", consent_action="acceptance")
    new = participant("Fiji", consent="2016-09-03", consent_action="acceptance",
                      history="consent 2021-01-20 acceptance")
    events = events_of(changed(old, new))
    assert [(e.type, e.date, e.details["action"]) for e in events] == [("ratification", "2021-01-20", "acceptance")]
    assert events[0].summary == f"Fiji: acceptance on 2021-01-20 ({TITLE})"


def test_formal_confirmation_and_approval_keep_their_words_in_the_summary():
    new = participant("European Union", consent="2011-10-04", consent_action="formal_confirmation")
    events = events_of(Change("added", new.key, None, new))
    assert [(e.type, e.details["action"]) for e in events] == [("ratification", "formal_confirmation")]
    assert events[0].summary == f"European Union: formal confirmation on 2011-10-04 ({TITLE})"


def test_a_later_main_date_is_a_new_action_and_an_earlier_one_a_correction():
    old = participant("Fiji", consent="2018-08-16", consent_action="accession")
    later = participant("Fiji", consent="2019-01-02", consent_action="accession")
    assert [(e.type, e.date) for e in events_of(changed(old, later))] == [("ratification", "2019-01-02")]
    earlier = participant("Fiji", consent="2018-08-15", consent_action="accession")
    assert [e.type for e in events_of(changed(old, earlier))] == ["record_changed"]


def test_a_marker_that_appears_raises_nothing_but_a_new_field_is_a_change():
    old = participant("Fiji", consent="2018-08-16", consent_action="accession")
    marked = participant("Fiji", consent="2018-08-16", consent_action="accession", markers="5")
    assert events_of(changed(old, marked)) == []
    other = participant("Fiji", consent="2018-08-16", consent_action="accession", territory="Rotuma")
    events = events_of(changed(old, other))
    assert [e.type for e in events] == ["record_changed"]
    assert events[0].details["changed"] == {"territory": {"old": None, "new": "Rotuma"}}


def test_a_row_with_a_clean_name_removed_is_reported_but_a_marked_key_is_not():
    clean = participant("Fiji", consent="2018-08-16")
    events = events_of(Change("removed", clean.key, clean, None))
    assert [(e.type, e.subject, e.summary) for e in events] == [("record_removed", "Fiji", "Fiji is no longer listed")]
    marked = participant("Fiji 5", consent="2018-08-16")
    assert events_of(Change("removed", marked.key, marked, None)) == []


# --- the treaty's own entry into force -------------------------------------------------------------

def treaty(eif: str | None, **fields) -> Record:
    return Record(f"{REF}:treaty", {"title": TITLE, "signatories": "35", "parties": "35",
                                    "entry_into_force": eif, "registration": None, "concluded": None} | fields,
                  TITLE, "u")


def test_the_treaty_entering_into_force_is_one_dated_event():
    events = events_of(changed(treaty(None), treaty("23 March 1976, in accordance with article 49.")))
    assert [(e.type, e.date, e.key, e.subject) for e in events] == [
        ("entry_into_force", "1976-03-23", f"{REF}:treaty", None)]
    assert events[0].summary == "entry into force: 23 March 1976, in accordance with article 49."
    assert events[0].treaty.id == REF


def test_entry_into_force_text_without_a_date_still_alerts_with_the_text():
    events = events_of(changed(treaty(""), treaty("In accordance with article 49, pending.")))
    assert [(e.type, e.date) for e in events] == [("entry_into_force", None)]
    assert events[0].details["text"] == "In accordance with article 49, pending."


def test_a_reworded_entry_into_force_is_a_correction_not_a_new_entry_into_force():
    old = treaty("23 March 1976, in accordance with article 49.")
    new = treaty("23 March 1976, in accordance with article 49 (1).")
    assert [e.type for e in events_of(changed(old, new))] == ["record_changed"]


def test_counts_registration_and_a_first_treaty_record_raise_nothing():
    assert events_of(changed(treaty(None), treaty(None, signatories="36", parties="36", registration="x"))) == []
    added = treaty("23 March 1976")
    assert events_of(Change("added", added.key, None, added)) == []
    assert events_of(Change("removed", added.key, added, None)) == []


# --- withdrawal notes ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "On 5 May 2017, the Government of Ruritania rescinded its notification of withdrawal from the Statute.",
    "On 5 May 2017, the Government of Ruritania informed the Secretary-General that it had decided to revoke "
    "its notification of withdrawal from the Statute.",
    "On 5 May 2017, the Government of Ruritania notified the Secretary-General of the withdrawal of its "
    "declaration made upon accession.",
    "On 5 May 2017, the Government of Ruritania withdrew its objection to the reservation of Utopia.",
])
def test_rescinded_withdrawals_and_withdrawn_declarations_are_not_denunciations(text):
    assert not is_withdrawal(text)
    note = Record(f"{REF}:note:Ruritania:abc", {"participant": "Ruritania", "text": text, "kind": "footnote"},
                  TITLE, "u")
    assert "denunciation" not in [e.type for e in events_of(Change("added", note.key, None, note))]


def test_a_withdrawal_note_alerts_the_participant_with_both_dates():
    text = ("On 27 October 2016, the Government of Burundi notified the Secretary-General of its decision to "
            "withdraw from the Statute, which took effect on 27 October 2017.")
    parsed = Parsed(title=TITLE, header=["Participant", "Signature", "Ratification, Accession(a)"],
                    rows=[Row(["Burundi", "13 Jan 1999", "21 Sep 2004"]), Row(["Fiji", "", "29 Nov 1999"])],
                    notes=[RawNote(text, "endnote")], eif=None, signatories="2", parties="2")
    note = next(r for r in build_records(REF, parsed, "w", "u", None) if ":note:" in r.key)
    assert note.fields["participant"] == "Burundi"
    events = events_of(Change("added", note.key, None, note))
    assert [(e.type, e.subject, e.date, e.effective_date, e.details["action"]) for e in events] == [
        ("denunciation", "Burundi", "2016-10-27", "2017-10-27", "withdrawal")]
    assert events[0].summary == f"Burundi: withdrawal notified on 2016-10-27, effective 2017-10-27 ({TITLE})"


def test_declarations_and_other_notes_are_not_denunciations():
    declaration = Record(f"{REF}:note:Fiji:abc", {"participant": "Fiji", "kind": "declaration",
                                                   "text": "Fiji declares, on 2 May 2001, that it applies article 1."},
                         TITLE, "u")
    events = events_of(Change("added", declaration.key, None, declaration))
    assert [(e.type, e.subject, e.date, e.details["action"]) for e in events] == [
        ("reservation", "Fiji", "2001-05-02", "declaration")]
    plain = Record(f"{REF}:note:-:def", {"participant": None, "kind": "footnote",
                                         "text": "The Convention was opened for signature at New York."},
                   TITLE, "u")
    assert [e.type for e in events_of(Change("added", plain.key, None, plain))] == ["record_changed"]


def test_a_withdrawal_note_keeps_its_record_when_its_effective_date_is_added():
    notified = ("On 27 October 2016, the Government of Burundi notified the Secretary-General of its decision to "
                "withdraw from the Statute.")
    effective = notified[:-1] + ", which took effect on 27 October 2017."
    names, owners = ["Burundi", "Fiji"], {}
    first = note_record(REF, RawNote(notified, "endnote"), names, owners, TITLE, "u")
    second = note_record(REF, RawNote(effective, "endnote"), names, owners, TITLE, "u")
    assert first.key == second.key
    assert (second.fields["participant"], second.title, second.url) == ("Burundi", TITLE, "u")


def test_the_effective_date_is_the_one_after_the_withdrawal_not_an_earlier_one():
    text = ("The Convention took effect for Ruritania on 1 January 1990. On 5 May 2017, the Government of "
            "Ruritania notified the Secretary-General of its withdrawal from the Convention, which will take "
            "effect on 5 May 2018.")
    assert withdrawal_dates(text) == ("2017-05-05", "2018-05-05")


def test_a_french_note_names_its_author_when_the_table_does_not():
    text = ("Le 27 octobre 2016, le Gouvernement de la République du Burundi a notifié au Secrétaire général sa "
            "décision de se retirer du Statut.")
    record = note_record(REF, RawNote(text, "endnote"), ["Fiji"], {}, TITLE, "u")
    assert record.fields["participant"] == "République du Burundi"


def test_the_longest_table_name_at_the_same_place_wins():
    names = ["Saint Kitts", "Saint Kitts and Nevis"]
    assert match_participant("the Government of Saint Kitts and Nevis", names) == "Saint Kitts and Nevis"
