"""The `coe` rules that decide which chart and declaration changes alert, and what the alerts say."""

from __future__ import annotations

import pytest

from helpers.coe import TORTURE, events_between, make_source, treaty_part
from monitor.sources.coe import parse_chart, parse_declarations

CHART = "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126"


def row(**dates) -> dict:
    fields = {"DateSignature": None, "DateConsentement": None, "DateEntreeVigueur": None, "DateDenonciation": None,
              "DateEffetDenonciation": None, "DateSuspension": None}
    return {"CodePays": "FRA", "LibPaysOrga": "France", "NumSTE": "126"} | fields | {
        name: f"{value}T00:00:00" for name, value in dates.items()}


def france(**dates) -> list:
    return parse_chart([[row(**dates)], []], "126", "u")


def declaration(nature: str, *, effect: str | None = "2020-01-01", withdrawn: str | None = None,
                article: str | None = "5", code: str | None = "FRA") -> dict:
    return {"code_Pays": {"Key": code, "Value": "France"} if code else {"Value": "France"},
            "code_Organisation": {"Libelle": "Null"}, "nature_Dec": nature, "numero_Article": article,
            "date_Effet": effect and f"{effect}T00:00:00",
            "date_Effet_Retrait": withdrawn and f"{withdrawn}T00:00:00", "texte_Decl": "<p>France …</p>"}


def declared(*items: dict, codes: dict | None = None) -> list:
    return parse_declarations(list(items), "126", "u", codes or {})


# --- chart dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dates, new, event_type, label, summary", [
    ({}, {"DateSignature": "1987-11-26"}, "signature", "Signature",
     f"France signed {TORTURE} on 1987-11-26."),
    ({"DateSignature": "1987-11-26"}, {"DateConsentement": "1988-01-09"}, "ratification", "Ratification",
     f"France expressed its consent to be bound by {TORTURE} (ratification, acceptance, approval or accession) "
     "on 1988-01-09."),
    ({"DateConsentement": "1988-01-09"}, {"DateEntreeVigueur": "1989-02-01"}, "entry_into_force",
     "Entry into force", f"{TORTURE} entered into force for France on 1989-02-01."),
    ({"DateConsentement": "1988-01-09"}, {"DateSuspension": "2022-03-16"}, "suspension", "Suspension",
     f"{TORTURE} was suspended for France on 2022-03-16."),
])
def test_each_new_chart_date_is_one_event_with_its_own_summary(dates, new, event_type, label, summary):
    short = {k.removeprefix("Date"): v for k, v in dates.items()}
    before = france(**{f"Date{k}": v for k, v in short.items()})
    after = france(**{f"Date{k}": v for k, v in short.items()}, **new)
    events = events_between(make_source(), before, after)
    assert [(e.type, e.summary) for e in events] == [(event_type, summary)]
    event = events[0]
    assert event.title == f"{label}: France — {TORTURE}"
    assert (event.subject, event.date, event.key, event.url) == ("France", list(new.values())[0], "126:FRA", CHART)
    assert event.treaty.id == "ETS No. 126"


def test_a_new_row_with_several_dates_gives_one_event_per_date_in_chart_order():
    after = france(DateSignature="1987-11-26", DateConsentement="1988-01-09", DateEntreeVigueur="1989-02-01")
    events = events_between(make_source(), [], after)
    assert [(e.type, e.date) for e in events] == [
        ("signature", "1987-11-26"), ("ratification", "1988-01-09"), ("entry_into_force", "1989-02-01")]


def test_a_date_that_disappears_or_moves_is_a_chart_correction():
    before = france(DateSignature="1987-11-26", DateConsentement="1988-01-09")
    gone = events_between(make_source(), before, france(DateSignature="1987-11-26"))
    assert [(e.type, e.details["changed"]) for e in gone] == [
        ("record_changed", {"consent": {"old": "1988-01-09", "new": None}})]
    assert gone[0].summary == f"The chart of {TORTURE} changed for France: consent: 1988-01-09 → none."
    assert gone[0].title == f"Chart corrected: France — {TORTURE}"


def test_denunciation_summary_names_both_dates():
    events = events_between(make_source(), france(DateConsentement="1988-01-09"),
                            france(DateConsentement="1988-01-09", DateDenonciation="2025-10-22",
                                   DateEffetDenonciation="2026-04-22"))
    assert [e.summary for e in events] == [
        f"France denounced {TORTURE} on 2025-10-22; the denunciation takes effect on 2026-04-22."]
    assert events[0].title == f"Denunciation: France — {TORTURE}"
    only_effect = events_between(make_source(), france(), france(DateEffetDenonciation="2026-04-22"))
    assert [(e.type, e.date, e.effective_date, e.summary) for e in only_effect] == [
        ("denunciation", None, "2026-04-22",
         f"France denounced {TORTURE}; the denunciation takes effect on 2026-04-22.")]


# --- declarations --------------------------------------------------------------------------------

@pytest.mark.parametrize("nature", ["Denunciation", "Dénonciation", "Denonciation", "Notification of denunciation"])
def test_a_declared_denunciation_in_either_language_is_a_denunciation(nature):
    events = events_between(make_source(declarations=True), [], declared(declaration(nature, effect="2026-04-22")))
    assert [(e.type, e.subject, e.effective_date, e.key) for e in events] == [
        ("denunciation", "France", "2026-04-22", "126:FRA")]
    assert events[0].summary == f"France denounced {TORTURE}; the denunciation takes effect on 2026-04-22."


def test_a_denunciation_without_a_state_code_stays_a_listed_declaration():
    events = events_between(make_source(declarations=True), [], declared(declaration("Denunciation", code=None)))
    assert [e.type for e in events] == ["reservation"]


@pytest.mark.parametrize("nature, verb", [
    ("Reservation", "made"), ("Withdrawal of reservation", "withdrew"), ("Retrait de réserve", "withdrew")])
def test_declarations_and_withdrawal_notices_are_reservations_with_their_verb(nature, verb):
    events = events_between(make_source(declarations=True), [], declared(declaration(nature)))
    assert [(e.type, e.subject, e.date) for e in events] == [("reservation", "France", "2020-01-01")]
    assert events[0].summary == (f"France {verb} a {nature.lower()} (article 5) to {TORTURE}, "
                                 "effective 2020-01-01.")
    assert events[0].title == f"{nature}: France — {TORTURE}"


def test_a_declaration_without_article_or_date_says_so_plainly():
    events = events_between(make_source(declarations=True), [],
                            declared(declaration("Declaration", effect=None, article=None)))
    assert [e.summary for e in events] == [f"France made a declaration to {TORTURE}."]


def test_a_reservation_withdrawn_later_is_one_withdrawal_event():
    before = declared(declaration("Reservation"))
    after = declared(declaration("Reservation", withdrawn="2024-05-01"))
    events = events_between(make_source(declarations=True), before, after)
    assert [(e.type, e.date, e.summary) for e in events] == [
        ("reservation", "2024-05-01", f"France withdrew its reservation to {TORTURE}, with effect from 2024-05-01.")]
    assert events[0].title == f"Withdrawal of reservation: France — {TORTURE}"


def test_a_removed_declaration_is_reported_as_no_longer_listed():
    from monitor.diff import Stored, diff_part

    before = declared(declaration("Reservation"))
    gone = diff_part({r.key: Stored(r, missing=1) for r in before}, [])
    events = [e for c in gone.changes for e in make_source(declarations=True).events(c, treaty_part(before), "t")]
    assert [(e.type, e.summary) for e in events] == [
        ("record_removed", f"A reservation by France is no longer listed for {TORTURE}.")]


def test_a_new_row_without_dates_is_listed_and_named_by_code_when_nameless():
    data = [[{"CodePays": "XYZ", "LibPaysOrga": None, "NumSTE": "126"}], []]
    events = events_between(make_source(), [], parse_chart(data, "126", "u"))
    assert [(e.type, e.subject, e.title, e.summary) for e in events] == [
        ("record_added", "XYZ", f"Listed on the chart: XYZ — {TORTURE}",
         f"XYZ now appears on the chart of {TORTURE}, with no dates.")]


def test_a_treaty_missing_from_the_list_is_named_by_its_number_and_series():
    source = make_source()
    old = parse_chart([[row()], []], "126", "u")
    events = events_between(source, old, parse_chart([[row(DateSignature="2020-01-01")], []], "126", "u"),
                            treaties={})
    assert [(e.type, e.title, e.treaty.id) for e in events] == [
        ("signature", "Signature: France — Treaty 126 (ETS No. 126)", "ETS No. 126")]
    cets = [row() | {"NumSTE": "210"}], []
    after = [[row(DateSignature="2020-01-01") | {"NumSTE": "210"}], []]
    events = events_between(source, parse_chart(list(cets), "210", "u"), parse_chart(after, "210", "u"),
                            treaties={})
    assert [(e.title, e.key, e.treaty.url) for e in events] == [
        ("Signature: France — Treaty 210 (CETS No. 210)", "210:FRA",
         "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=210")]


def test_new_declarations_and_changes_to_known_ones_are_reservations():
    # (A part seen for the first time is silenced by the check's one baseline rule, not here:
    # see test_coe_cli's quiet-baseline tests.)
    source = make_source(declarations=True)
    assert [e.type for e in events_between(source, [], declared(declaration("Reservation")))] == ["reservation"]
    assert [e.type for e in events_between(source, [], france(DateSignature="1987-11-26"))] == ["signature"]
    before = declared(declaration("Reservation"))
    after = declared(declaration("Reservation", withdrawn="2024-05-01"))
    assert [e.type for e in events_between(source, before, after)] == ["reservation"]


def test_chart_alerts_keep_the_row_and_what_changed():
    events = events_between(make_source(), france(), france(DateSignature="1987-11-26"))
    assert events[0].details["field"] == "signature"
    assert (events[0].details["old"], events[0].details["new"]) == (None, "1987-11-26")
    assert events[0].details["fields"]["code"] == "FRA"
    assert events[0].source == "coe" and events[0].detected_at == "2026-05-01T00:00:00+00:00"
    assert events[0].id != events_between(make_source(), france(), france(DateSignature="1987-11-27"))[0].id
