"""The `coe` event rules as pure functions: which chart and declaration changes alert, with what
type, subject, dates, wording and id, and how one denunciation reported twice stays one alert."""

from __future__ import annotations

from helpers.coe import TORTURE, TREATY_LIST
from monitor.diff import Change, Stored, diff_part
from monitor.records import Record
from monitor.sources.coe import parse_chart, parse_declarations, parse_treaty_list
from monitor.sources.coe.events import CoeEvents

INFO = parse_treaty_list(TREATY_LIST, "list")["126"]
CHART = "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126"
AT = "2026-05-01T00:00:00+00:00"


def row(code: str = "FRA", name: str | None = "France", **fields) -> dict:
    return {"CodePays": code, "LibPaysOrga": name, "NumSTE": "126"} | {
        k: (f"{v}T00:00:00" if k.startswith("Date") and v else v) for k, v in fields.items()}


def chart(*rows: dict) -> list[Record]:
    return parse_chart([list(rows), []], "126", "u")


def declaration(nature: str | None = "Reservation", *, code: str | None = "FRA", name: str | None = "France",
                effect: str | None = "2020-01-01", withdrawn: str | None = None, article: str | None = "5",
                text: str = "<p>France …</p>") -> dict:
    country = {k: v for k, v in (("Key", code), ("Value", name)) if v}
    return {"code_Pays": country, "code_Organisation": {"Libelle": "Null"}, "nature_Dec": nature,
            "numero_Article": article, "date_Effet": effect and f"{effect}T00:00:00",
            "date_Effet_Retrait": withdrawn and f"{withdrawn}T00:00:00", "texte_Decl": text}


def declared(*items: dict) -> list[Record]:
    return parse_declarations(list(items), "126", "u", {})


def changes(before: list[Record], after: list[Record]) -> list[Change]:
    """The changes a check sees (a row must be missing twice to count as removed)."""
    return diff_part({r.key: Stored(r, missing=1) for r in before}, after).changes


def events(before: list[Record], after: list[Record], memo: dict | None = None) -> list:
    rules = CoeEvents("coe", {} if memo is None else memo)
    found = [e for change in changes(before, after) for e in rules.for_change(change, INFO, AT)]
    for event in found:  # what every coe alert says besides its action
        assert (event.source, event.detected_at, event.url) == ("coe", AT, CHART)
        assert (event.treaty.id, event.treaty.title, event.treaty.url) == ("ETS No. 126", TORTURE, CHART)
        assert event.title.endswith(f" — {TORTURE}")
    return found


def said(found: list) -> list[tuple]:
    return [(e.type, e.subject, e.title.removesuffix(f" — {TORTURE}"), e.summary, e.date, e.effective_date)
            for e in found]


# --- chart rows -----------------------------------------------------------------------------------

def test_a_row_gone_from_the_chart_is_reported_as_no_longer_listed():
    assert said(events(chart(row(DateSignature="1990-01-01")), chart())) == [
        ("record_removed", "France", "No longer on the chart: France",
         f"France is no longer listed on the chart of {TORTURE}.", None, None)]


def test_a_row_named_only_by_its_code_or_by_nothing_says_so():
    bare = Record(key="126:XYZ", fields={"treaty": "126", "state": None, "code": "XYZ", "signature": None})
    [gone] = events([bare], [])
    assert gone.title == f"No longer on the chart: XYZ — {TORTURE}" and gone.subject is None
    nameless = Record(key="126:-", fields={"treaty": "126", "state": None, "code": None, "signature": None})
    assert events([nameless], [])[0].summary == f"? is no longer listed on the chart of {TORTURE}."


def test_a_denunciation_and_a_suspension_on_one_row_are_two_alerts():
    found = events([], chart(row(DateDenonciation="2022-03-15", DateSuspension="2022-03-16")))
    assert [(e.type, e.date) for e in found] == [("denunciation", "2022-03-15"), ("suspension", "2022-03-16")]


def test_a_denunciation_reported_with_its_date_only_says_when():
    [event] = events(chart(row(DateConsentement="1989-01-09")),
                     chart(row(DateConsentement="1989-01-09", DateDenonciation="2025-10-22")))
    assert said([event]) == [("denunciation", "France", "Denunciation: France",
                              f"France denounced {TORTURE} on 2025-10-22.", "2025-10-22", None)]
    assert (event.details["denunciation"], event.details["denunciation_effective"]) == ("2025-10-22", None)
    assert event.details["fields"]["consent"] == "1989-01-09"


def test_a_corrected_denunciation_date_is_a_chart_correction_not_a_second_denunciation():
    before = chart(row(DateDenonciation="2025-10-22"))
    found = events(before, chart(row(DateDenonciation="2025-10-23")))
    assert [(e.type, e.details["changed"]) for e in found] == [
        ("record_changed", {"denunciation": {"old": "2025-10-22", "new": "2025-10-23"}})]
    assert found[0].summary == f"The chart of {TORTURE} changed for France: denunciation: 2025-10-22 → 2025-10-23."


def test_the_denunciation_date_added_after_its_effective_date_is_no_second_denunciation():
    found = events(chart(row(DateEffetDenonciation="2026-04-22")),
                   chart(row(DateDenonciation="2025-10-22", DateEffetDenonciation="2026-04-22")))
    assert [(e.type, e.details["changed"]) for e in found] == [
        ("record_changed", {"denunciation": {"old": None, "new": "2025-10-22"}})]


def test_a_row_with_no_dates_gives_no_change_alert_when_listed():
    found = events([], chart(row()))
    assert [e.type for e in found] == ["record_added"]
    assert found[0].details["fields"]["state"] == "France"


def test_flags_and_unknown_fields_that_change_are_one_chart_correction():
    before = chart(row(DateSignature="1987-11-26", Niveau="1"))
    after = chart(row(DateSignature="1987-11-26", Niveau="2", Reserves=True))
    [event] = events(before, after)
    assert event.type == "record_changed" and event.subject == "France"
    assert event.title == f"Chart corrected: France — {TORTURE}"
    assert event.details["changed"] == {"Niveau": {"old": "1", "new": "2"}, "flags": {"old": None, "new": "R"}}
    assert event.details["fields"]["flags"] == "R"
    assert event.summary == f"The chart of {TORTURE} changed for France: Niveau: 1 → 2; flags: none → R."
    # Its id depends on what changed: the same correction is the same event, another is another.
    assert event.id == events(before, after)[0].id
    assert event.id != events(before, chart(row(DateSignature="1987-11-26", Niveau="3", Reserves=True)))[0].id


def test_a_date_change_and_a_flag_change_together_are_two_corrections():
    before = chart(row(DateSignature="1987-11-26"))
    after = chart(row(DateSignature="1987-11-27", Reserves=True))
    found = events(before, after)
    assert [e.details["changed"] for e in found] == [
        {"signature": {"old": "1987-11-26", "new": "1987-11-27"}}, {"flags": {"old": None, "new": "R"}}]


def test_chart_event_ids_are_pinned():
    """An id that changed in a new version would alert the whole history again."""
    before = chart(row(DateSignature="1987-11-26", DateDenonciation="2025-10-22"), row("XYZ", "Nowhere"))
    after = chart(row(DateSignature="1987-11-27", DateDenonciation="2025-10-22", DateEffetDenonciation="2026-04-22",
                      Reserves=True), row("NOR", "Norway", DateSuspension="2022-03-16"))
    assert sorted((e.type, e.key, e.id) for e in events(before, after)) == [  # signature, flags, effective date
        ("record_changed", "126:FRA", "956fedc0375ad6ceb37abab80d359e01"),
        ("record_changed", "126:FRA", "994350dabbad02c530d3e51d794dce71"),
        ("record_changed", "126:FRA", "f2f180d65e21df71ff050d214592e8d0"),
        ("record_removed", "126:XYZ", "c176602c658e432a134558cbd381d9e9"),
        ("suspension", "126:NOR", "2756dba24419b4ab8e7eb9a73916ea34")]


# --- one denunciation, two reports ------------------------------------------------------------------

def test_the_chart_date_then_its_effective_date_then_the_declaration_are_one_denunciation():
    memo: dict = {}
    [first] = events(chart(row()), chart(row(DateDenonciation="2025-10-22")), memo)
    later = events(chart(row(DateDenonciation="2025-10-22")),
                   chart(row(DateDenonciation="2025-10-22", DateEffetDenonciation="2026-04-22")), memo)
    assert [e.type for e in later] == ["record_changed"]
    # The declarations list only knows the effective date: it is the same denunciation.
    [backup] = events([], declared(declaration("Denunciation", effect="2026-04-22")), memo)
    assert (backup.type, backup.key, backup.id) == ("denunciation", "126:FRA", first.id)
    assert backup.details["declaration"] == "126:declaration:FRA:Denunciation:5:2026-04-22"
    assert (backup.date, backup.effective_date) == (None, "2026-04-22")


def test_a_denunciation_known_from_an_earlier_version_is_not_reported_again():
    """The memo layout is kept across versions: what an earlier check stored still matches."""
    memo = {"denunciations": {"126:FRA": [{"id": "2025-10-22", "dates": ["2025-10-22", "2026-04-22"]}]}}
    [fresh] = events([], chart(row(DateDenonciation="2025-10-22")))
    [backup] = events([], declared(declaration("Denunciation", effect="2026-04-22")), memo)
    assert backup.id == fresh.id


def test_an_effective_date_added_to_a_denunciation_unknown_to_the_memo_changes_no_later_id():
    memo: dict = {}
    events(chart(row(DateDenonciation="2025-10-22")),
           chart(row(DateDenonciation="2025-10-22", DateEffetDenonciation="2026-04-22")), memo)
    [backup] = events([], declared(declaration("Denunciation", effect="2026-04-22")), memo)
    [alone] = events([], declared(declaration("Denunciation", effect="2026-04-22")))
    assert backup.id == alone.id


def test_a_second_denunciation_years_later_is_a_new_alert():
    memo: dict = {}
    [first] = events(chart(row()), chart(row(DateDenonciation="2000-01-01", DateEffetDenonciation="2000-07-01")),
                     memo)
    # Ratified again, then denounced again: the chart shows only the latest dates.
    [second] = events([], declared(declaration("Denunciation", effect="2026-04-22")), memo)
    assert second.type == "denunciation" and second.id != first.id
    other_state = events([], chart(row("NOR", "Norway", DateDenonciation="2000-01-01")), memo)
    assert other_state[0].id != first.id


# --- declarations ----------------------------------------------------------------------------------

def test_a_new_reservation_says_who_made_what_and_keeps_its_nature():
    [event] = events([], declared(declaration("Reservation")))
    assert said([event]) == [("reservation", "France", "Reservation: France",
                              f"France made a reservation (article 5) to {TORTURE}, effective 2020-01-01.",
                              "2020-01-01", None)]
    assert event.details["nature"] == "Reservation" and event.details["fields"]["code"] == "FRA"
    assert event.key == "126:declaration:FRA:Reservation:5:2020-01-01"


def test_a_declaration_by_code_only_or_without_nature_is_named_plainly():
    [by_code] = events([], declared(declaration("Reservation", name=None)))
    assert (by_code.subject, by_code.title) == (None, f"Reservation: FRA — {TORTURE}")
    [nameless] = events([], declared(declaration(None, name=None, code=None)))
    assert nameless.title == f"Declaration: ? — {TORTURE}"
    assert nameless.summary == f"? made a declaration (article 5) to {TORTURE}, effective 2020-01-01."
    assert nameless.details["nature"] == "Declaration"


def test_a_removed_declaration_title_names_it():
    found = events(declared(declaration("Reservation")), [])
    assert said(found) == [("record_removed", "France", "No longer listed: Reservation by France",
                            f"A reservation by France is no longer listed for {TORTURE}.", None, None)]


def test_a_withdrawal_date_that_is_corrected_is_no_second_withdrawal():
    before = declared(declaration(withdrawn="2024-05-01"))
    found = events(before, declared(declaration(withdrawn="2024-05-02")))
    assert [(e.type, e.details["changed"]) for e in found] == [
        ("record_changed", {"withdrawn": {"old": "2024-05-01", "new": "2024-05-02"}})]


def test_a_reworded_declaration_is_a_correction_not_a_withdrawal():
    found = events(declared(declaration(text="<p>France declares</p>")),
                   declared(declaration(text="<p>France declares that</p>")))
    assert said(found) == [("record_changed", "France", "Chart corrected: France",
                            f"The chart of {TORTURE} changed for France: text: France declares → France declares "
                            "that.", None, None)]


def test_a_withdrawal_together_with_a_new_wording_gives_both():
    found = events(declared(declaration(text="<p>old</p>")),
                   declared(declaration(withdrawn="2024-05-01", text="<p>new</p>")))
    assert [(e.type, e.date) for e in found] == [("reservation", "2024-05-01"), ("record_changed", None)]
    assert found[0].details["nature"] == "Reservation"
    assert found[1].details["changed"] == {"text": {"old": "old", "new": "new"}}


def test_declaration_event_ids_are_pinned():
    reservation = declared(declaration("Reservation"))
    [made] = events([], reservation)
    [withdrawn] = events(reservation, declared(declaration("Reservation", withdrawn="2024-05-01")))
    [denounced] = events([], declared(declaration("Denunciation", effect="2026-04-22")))
    [gone] = events(reservation, [])
    assert [(e.type, e.id) for e in (made, withdrawn, denounced, gone)] == [
        ("reservation", "a2b1e070ef762e52729dae340c6b2f2a"), ("reservation", "24321781f5b3ff687846f057b28568c4"), ("denunciation", "c5765c38e2be399f872d2938c158e497"), ("record_removed", "670907d97e719731844c47e73bca0405")]
