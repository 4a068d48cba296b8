"""The `untc` alerts as a user reads them: every field of each event a row, note or treaty change raises."""

from __future__ import annotations

from helpers.untc import source, treaty_part
from monitor.diff import Change, field_changes
from monitor.events import Event, Treaty, event_id
from monitor.records import Record
from monitor.sources.untc.events import change_events

REF = "IV-4"
TITLE = "International Covenant on Civil and Political Rights"
LINK = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-4&chapter=4&clang=_en"
AT = "2026-08-05T10:00:00+00:00"
TREATY = Treaty(id=REF, title=TITLE, url=LINK)


def events_of(change: Change) -> list[Event]:
    src = source(treaties=[REF])
    return src.events(change, treaty_part(src, REF), AT)


def added(record: Record) -> Change:
    return Change("added", record.key, None, record)


def changed(old: Record, new: Record) -> Change:
    return Change("changed", new.key, old, new, field_changes(old, new))


def alert(key: str, event_type: str, identity: tuple, *, id_key: str | None = None, **about) -> Event:
    """The event a user should receive, its id built the documented way (source, key, type, identity)."""
    return Event(id=event_id("un", id_key or key, event_type, *identity), type=event_type, source="un", key=key,
                 title=TITLE, url=LINK, treaty=TREATY, detected_at=AT, **about)


# --- participant rows --------------------------------------------------------------------------------

def row(name: str, title: str = TITLE, **fields) -> Record:
    base = {"participant": name, "signature": None, "consent": None, "consent_action": None, "history": None,
            "markers": None}
    return Record(f"{REF}:participant:{name}", base | fields, title, "u")


def test_a_new_row_with_both_dates_is_a_signature_then_a_ratification():
    new = row("Fiji", signature="2016-09-21", consent="2018-08-16", consent_action="accession")
    assert events_of(added(new)) == [
        alert(new.key, "signature", ("2016-09-21",), subject="Fiji", date="2016-09-21",
              summary=f"Fiji: signature on 2016-09-21 ({TITLE})", details={"action": "signature"}),
        alert(new.key, "ratification", ("2018-08-16",), subject="Fiji", date="2018-08-16",
              summary=f"Fiji: accession on 2018-08-16 ({TITLE})", details={"action": "accession"}),
    ]


def test_a_consent_without_a_code_is_a_ratification():
    new = row("Fiji", consent="2018-08-16")
    assert events_of(added(new)) == [
        alert(new.key, "ratification", ("2018-08-16",), subject="Fiji", date="2018-08-16",
              summary=f"Fiji: ratification on 2018-08-16 ({TITLE})", details={"action": "ratification"})]


def test_a_consent_added_beside_a_known_signature_is_only_the_ratification():
    old = row("Fiji", signature="2016-09-21")
    new = row("Fiji", signature="2016-09-21", consent="2018-08-16", consent_action="succession")
    assert events_of(changed(old, new)) == [
        alert(new.key, "ratification", ("2018-08-16",), subject="Fiji", date="2018-08-16",
              summary=f"Fiji: succession on 2018-08-16 ({TITLE})", details={"action": "succession"})]


def test_a_bracketed_re_acceptance_names_its_own_action_and_date():
    old = row("United States of America", signature="2016-04-22", consent="2016-09-03", consent_action="acceptance")
    new = row("United States of America", signature="2016-04-22", consent="2016-09-03", consent_action="acceptance",
              history="consent 2021-01-20 approval")
    assert events_of(changed(old, new)) == [
        alert(new.key, "ratification", ("2021-01-20",), subject="United States of America", date="2021-01-20",
              summary=f"United States of America: approval on 2021-01-20 ({TITLE})",
              details={"action": "approval"})]


def test_the_main_date_giving_way_to_its_bracketed_re_acceptance_is_no_news():
    """ "3 Sep 2016 A [20 Jan 2021 A]" -> "[20 Jan 2021 a]": the cell now stands for the re-acceptance."""
    old = row("United States of America", consent="2016-09-03", consent_action="acceptance",
              history="consent 2021-01-20 accession")
    new = row("United States of America", consent="2021-01-20", consent_action="accession",
              history="consent 2021-01-20 accession")
    assert events_of(changed(old, new)) == []


def test_a_bracketed_date_that_was_the_main_date_is_no_new_action():
    """ "3 Sep 2016 A" -> "[3 Sep 2016 A]": the same action written the other way."""
    old = row("Fiji", consent="2016-09-03", consent_action="acceptance")
    new = row("Fiji", history="consent 2016-09-03 acceptance")
    assert events_of(changed(old, new)) == []


def test_a_corrected_signature_date_is_a_change_naming_the_field():
    old = row("Fiji", signature="2016-09-21", consent="2018-08-16")
    new = row("Fiji", signature="2016-09-12", consent="2018-08-16")
    assert events_of(changed(old, new)) == [
        alert(new.key, "record_changed", ([("signature", "2016-09-21", "2016-09-12")],), subject="Fiji",
              details={"changed": {"signature": {"old": "2016-09-21", "new": "2016-09-12"}}})]


def test_a_new_action_beside_a_corrected_date_gives_both_and_markers_stay_out_of_the_change():
    old = row("Fiji", signature="2016-09-21", markers="3",
              history="consent 2017-01-01 acceptance; signature 2016-01-01 signature")
    new = row("Fiji", signature="2016-09-12", consent="2018-08-16", markers="3,4",
              history="consent 2017-01-01 acceptance; signature 2016-01-01 signature")
    events = events_of(changed(old, new))
    assert [(e.type, e.date) for e in events] == [("ratification", "2018-08-16"), ("record_changed", None)]
    assert events[1].details["changed"] == {"signature": {"old": "2016-09-21", "new": "2016-09-12"}}


def test_each_bracketed_action_of_a_row_is_known_on_its_own():
    old = row("Fiji", consent="2010-01-01", history="consent 2015-05-05 accession; consent 2021-01-20 acceptance")
    new = row("Fiji", consent="2010-01-01",
              history="consent 2015-05-05 accession; consent 2021-01-20 acceptance; consent 2024-02-02 approval")
    assert [(e.type, e.date, e.details["action"]) for e in events_of(changed(old, new))] == [
        ("ratification", "2024-02-02", "approval")]


def test_a_later_signature_date_is_a_new_signature_not_a_correction():
    old = row("Fiji", signature="2016-09-12")
    new = row("Fiji", signature="2016-09-21")
    assert [(e.type, e.date) for e in events_of(changed(old, new))] == [("signature", "2016-09-21")]


def test_a_renamed_treaty_title_on_a_row_is_no_alert():
    assert events_of(changed(row("Fiji", consent="2018-08-16"), row("Fiji", "Covenant", consent="2018-08-16"))) == []


def test_a_removed_row_is_reported_with_what_it_held():
    old = row("Fiji", consent="2018-08-16", consent_action="accession")
    assert events_of(Change("removed", old.key, old, None)) == [
        alert(old.key, "record_removed", (old.fingerprint(),), subject="Fiji", summary="Fiji is no longer listed",
              details={"fields": old.fields})]


def test_a_removed_row_whose_key_still_held_escaped_markup_is_no_alert():
    marked = row("Fiji<superscript>5</superscript>", consent="2018-08-16")
    assert events_of(Change("removed", marked.key, marked, None)) == []


# --- notes ------------------------------------------------------------------------------------------

def note(text: str | None, kind: str = "footnote", participant: str | None = None, key: str = "abc") -> Record:
    return Record(f"{REF}:note:{participant or '-'}:{key}", {"participant": participant, "text": text, "kind": kind},
                  TITLE, "u")


WITHDRAWAL = ("On 27 October 2016, the Government of Burundi notified the Secretary-General of its decision to "
              "withdraw from the Covenant, which took effect on 27 October 2017.")


def test_a_withdrawal_note_is_one_denunciation_filed_under_the_participant():
    new = note(WITHDRAWAL, participant="Burundi")
    assert events_of(added(new)) == [
        alert(new.key, "denunciation", ("2016-10-27",), id_key=f"{REF}:participant:Burundi", subject="Burundi",
              date="2016-10-27", effective_date="2017-10-27",
              summary=f"Burundi: withdrawal notified on 2016-10-27, effective 2017-10-27 ({TITLE})",
              details={"kind": "footnote", "text": WITHDRAWAL, "action": "withdrawal"})]


def test_a_withdrawal_note_that_names_no_table_participant_still_alerts_with_unknown_parts():
    text = "The Government of Utopia notified the Secretary-General of its decision to withdraw from the Covenant."
    new = note(text, kind="endnote")
    assert events_of(added(new)) == [
        alert(new.key, "denunciation", (None,), subject=None, date=None, effective_date=None,
              summary=f"A participant: withdrawal notified on ?, effective ? ({TITLE})",
              details={"kind": "endnote", "text": text, "action": "withdrawal"})]


def test_a_reservation_note_is_a_reservation_with_its_first_date():
    text = "Upon ratification, on 2 May 2001, Fiji made a Reservation to article 1 (made on 1 May 2001)."
    new = note(text, participant="Fiji")
    assert events_of(added(new)) == [
        alert(new.key, "reservation", (), subject="Fiji", date="2001-05-02",
              summary=f"Fiji: new footnote ({TITLE})",
              details={"kind": "footnote", "text": text, "action": "footnote"})]


def test_an_objection_filed_in_its_section_is_a_reservation_event_whatever_its_words():
    text = "The Government of Utopia considers the statement of Ruritania to be without effect."
    new = note(text, kind="objection", participant="Utopia")
    assert events_of(added(new)) == [
        alert(new.key, "reservation", (), subject="Utopia", date=None, summary=f"Utopia: new objection ({TITLE})",
              details={"kind": "objection", "text": text, "action": "objection"})]


def test_a_declaration_section_entry_without_a_named_participant_is_a_reservation_of_a_note():
    text = "The Covenant shall apply to the territory of Rotuma from 1 March 2001."
    new = note(text, kind="declaration")
    assert events_of(added(new)) == [
        alert(new.key, "reservation", (), subject=None, date="2001-03-01", summary=f"Note: new declaration ({TITLE})",
              details={"kind": "declaration", "text": text, "action": "declaration"})]


def test_declarations_and_objections_in_any_case_are_reservations():
    for text in ("DECLARATIONS made upon signature.", "The objections of Utopia.", "A declaration on article 2."):
        assert [e.type for e in events_of(added(note(text)))] == ["reservation"], text


def test_a_note_that_is_neither_is_a_new_note_record():
    text = "The Covenant was opened for signature at New York on 19 December 1966."
    new = note(text, kind="territorial_application", participant="Netherlands")
    assert events_of(added(new)) == [
        alert(new.key, "record_changed", ("added",), subject="Netherlands",
              summary=f"new territorial_application ({TITLE})",
              details={"kind": "territorial_application", "text": text})]


def test_a_note_without_text_is_a_new_note_with_empty_text():
    new = note(None, kind="notification")
    [event] = events_of(added(new))
    assert (event.type, event.details) == ("record_changed", {"kind": "notification", "text": ""})


def test_a_reworded_note_is_a_change_of_its_text_and_nothing_else():
    old = note(WITHDRAWAL.replace("took", "will take"), participant="Burundi")
    new = Record(old.key, {**old.fields, "text": WITHDRAWAL, "participant": None}, TITLE, "u")
    assert events_of(changed(old, new)) == [
        alert(new.key, "record_changed", ([("text", old.fields["text"], WITHDRAWAL)],), subject=None,
              details={"changed": {"text": {"old": old.fields["text"], "new": WITHDRAWAL}}})]


def test_a_note_refiled_under_another_participant_is_no_alert():
    old = note(WITHDRAWAL, participant=None)
    new = Record(old.key, {**old.fields, "participant": "Burundi"}, TITLE, "u")
    assert events_of(changed(old, new)) == []


# --- the treaty's own record --------------------------------------------------------------------------

def treaty(eif: str | None, title: str = TITLE, **fields) -> Record:
    return Record(f"{REF}:treaty", {"title": title, "signatories": "35", "parties": "35", "entry_into_force": eif,
                                    "registration": None, "concluded": None} | fields, title, "u")


def test_entry_into_force_is_one_event_with_its_date_and_text():
    text = "23 March 1976, in accordance with article 49."
    new = treaty(text)
    assert events_of(changed(treaty(None), new)) == [
        alert(new.key, "entry_into_force", ("1976-03-23",), date="1976-03-23",
              summary=f"entry into force: {text}", details={"text": text})]


def test_entry_into_force_replacing_a_text_without_a_date_is_news():
    text = "23 March 1976, in accordance with article 49."
    events = events_of(changed(treaty("Not yet in force."), treaty(text)))
    assert [(e.type, e.date) for e in events] == [("entry_into_force", "1976-03-23")]


def test_entry_into_force_without_a_date_is_identified_by_its_text():
    text = "In accordance with article 49, pending."
    new = treaty(text)
    assert events_of(changed(treaty(""), new)) == [
        alert(new.key, "entry_into_force", (text,), date=None, summary=f"entry into force: {text}",
              details={"text": text})]


def test_entry_into_force_with_another_field_changed_reports_both():
    text = "23 March 1976."
    events = events_of(changed(treaty(None), treaty(text, depositary="Secretary-General")))
    assert [e.type for e in events] == ["entry_into_force", "record_changed"]
    assert events[1].details["changed"] == {"depositary": {"old": None, "new": "Secretary-General"}}


def test_an_entry_into_force_text_removed_is_a_change_not_an_entry_into_force():
    old = treaty("23 March 1976.")
    events = events_of(changed(old, treaty(None)))
    assert [e.type for e in events] == ["record_changed"]
    assert events[0].details["changed"] == {"entry_into_force": {"old": "23 March 1976.", "new": None}}


def test_a_new_title_conclusion_or_registration_of_the_treaty_is_no_alert():
    old = treaty("23 March 1976.")
    assert events_of(changed(old, treaty("23 March 1976.", "Covenant", concluded="New York",
                                         registration="No. 14668"))) == []


def test_a_treaty_record_of_unknown_kind_reports_its_change():
    old = Record(f"{REF}:other", {"x": "1"}, TITLE, "u")
    new = Record(old.key, {"x": "2"}, TITLE, "u")
    [event] = events_of(changed(old, new))
    assert (event.type, event.details["changed"]) == ("record_changed", {"x": {"old": "1", "new": "2"}})
    # Its title or link alone is no news, beside a change neither is reported.
    assert events_of(changed(old, Record(old.key, old.fields, "Covenant", "v"))) == []
    [event] = events_of(changed(old, Record(old.key, new.fields, "Covenant", "v")))
    assert event.details["changed"] == {"x": {"old": "1", "new": "2"}}


def test_the_reference_stands_in_for_a_missing_title():
    new = Record(f"{REF}:participant:Fiji", {"participant": "Fiji", "consent": "2018-08-16", "markers": "5"}, None,
                 "u")
    [event] = change_events("un", added(new), Treaty(id=REF, url=LINK), AT)
    assert (event.title, event.summary) == (REF, f"Fiji: ratification on 2018-08-16 ({REF})")


# --- the first check after names lose their markers -----------------------------------------------------

def upgrading(change: Change) -> list[Event]:
    return change_events("un", change, TREATY, AT, upgrading=True)


def test_upgrading_silences_re_keyed_rows_and_notes_and_treaty_metadata_only():
    marked = row("Fiji", consent="2018-08-16", markers="5")
    assert upgrading(added(marked)) == []
    unmarked = row("Fiji", consent="2018-08-16")
    assert [e.type for e in upgrading(added(unmarked))] == ["ratification"]
    later = row("Fiji", consent="2019-01-02", markers="5")
    assert [e.type for e in upgrading(changed(marked, later))] == ["ratification"]
    assert upgrading(added(note("A declaration on article 2.", participant="Fiji"))) == []
    assert [e.type for e in upgrading(added(note(WITHDRAWAL, participant="Burundi")))] == ["denunciation"]
    reworded = note(WITHDRAWAL.replace("took", "will take"), participant="Burundi")
    assert upgrading(changed(reworded, note(WITHDRAWAL, participant="Burundi"))) == []
    assert upgrading(changed(treaty(None), treaty("23 March 1976."))) == []
    gone = note(WITHDRAWAL, participant="Burundi")
    assert upgrading(Change("removed", gone.key, gone, None)) == []
