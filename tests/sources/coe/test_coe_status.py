"""The status table of a Council of Europe treaty, as the dashboard shows it: one row per state or
organisation with its dates, and notes for suspensions, the chart's flags and declarations."""

from __future__ import annotations

from helpers.coe import TORTURE, TREATY_LIST, load
from monitor.sources.coe import parse_chart, parse_declarations, parse_treaty_list
from monitor.sources.coe.status import status_table
from monitor.treaties import StatusRow

MEMO = {"treaties": {n: t.memo() for n, t in parse_treaty_list(TREATY_LIST, "list").items()}}


def row(code: str, name: str | None, **fields) -> dict:
    return {"CodePays": code, "LibPaysOrga": name, "NumSTE": "126"} | fields


def declaration(code: str | None, name: str, nature: str, *, withdrawn: str | None = None,
                article: str = "1") -> dict:
    return {"code_Pays": {"Key": code, "Value": name} if code else {"Value": name},
            "code_Organisation": {"Libelle": "Null"}, "nature_Dec": nature, "numero_Article": article,
            "date_Effet": "2000-01-01T00:00:00",
            "date_Effet_Retrait": withdrawn and f"{withdrawn}T00:00:00", "texte_Decl": f"<p>{nature} {article}</p>"}


def records_for(members: list[dict], others: list[dict] = (), organisations: list[dict] = (),
                declarations: list[dict] = ()):
    records = parse_chart([list(members), list(others), list(organisations)], "126", "u")
    records += parse_declarations(list(declarations), "126", "u", {})
    return lambda number: records if number == "126" else []


def test_rows_carry_each_date_and_are_sorted_by_name_with_the_treaty_named():
    chart = records_for([
        row("RUS", "Russian Federation", DateSignature="1996-02-28T00:00:00", DateConsentement="1998-05-05T00:00:00",
            DateEntreeVigueur="1998-09-01T00:00:00", DateDenonciation="2025-10-22T00:00:00",
            DateEffetDenonciation="2026-04-22T00:00:00"),
        row("alb", "albania", DateSignature="1996-06-02T00:00:00")])
    table = status_table("126", chart, MEMO)
    assert (table.treaty, table.title, table.facts) == ("126", TORTURE, [("Series", "ETS No. 126")])
    assert table.url == "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126"
    assert table.rows == [
        StatusRow(participant="albania", signature="1996-06-02"),
        StatusRow(participant="Russian Federation", signature="1996-02-28", consent="1998-05-05",
                  entry_into_force="1998-09-01", denunciation="2025-10-22", denunciation_effective="2026-04-22")]


def test_the_treaty_is_found_by_any_spelling_of_its_number():
    chart = records_for([row("FRA", "France")])
    assert status_table("126", chart, MEMO).treaty == "126"
    assert status_table(" 0126 ", chart, MEMO).treaty == "126"
    assert status_table("ECHR", chart, MEMO) is None
    assert status_table("5", chart, MEMO) is None  # no records of treaty 005


def test_a_treaty_missing_from_the_list_is_named_by_number_and_series():
    chart = records_for([row("FRA", "France")])
    table = status_table("126", chart, {})
    assert (table.title, table.facts) == ("Treaty 126 (ETS No. 126)", [("Series", "ETS No. 126")])
    assert status_table("126", chart, {"treaties": {}}).title == "Treaty 126 (ETS No. 126)"


def test_notes_name_suspension_flags_declarations_and_organisations():
    chart = records_for(
        [row("RUS", "Russian Federation", DateSuspension="2022-03-16T00:00:00", Reserves=True, Declarations=True,
             Autorites=True, Territoires=True, Communications=True, Objections=True),
         row("FRA", "France", Declarations=True)],
        organisations=[row("UE", "European Union")],
        declarations=[declaration("FRA", "France", "Reservation", article="1"),
                      declaration("FRA", "France", "Reservation", article="2"),
                      declaration("FRA", "France", "Declaration", article="3"),
                      declaration("FRA", "France", "Declaration", article="4", withdrawn="2010-01-01")])
    rows = {r.participant: r.notes for r in status_table("126", chart, MEMO).rows}
    assert rows["Russian Federation"] == [
        "suspended 16 Mar 2022", "reservations", "declarations", "authorities", "territorial application",
        "communications", "objections"]
    # Withdrawn declarations are not counted; declarations are counted by nature.
    assert rows["France"] == ["declarations", "1 × declaration", "2 × reservation"]
    assert rows["European Union"] == ["international organisation"]
    assert set(rows) == {"Russian Federation", "France", "European Union"}


def test_a_row_without_name_is_listed_by_code():
    chart = records_for([row("XYZ", None)])
    assert [r.participant for r in status_table("126", chart, MEMO).rows] == ["XYZ"]


def test_the_real_treaty_list_and_constructed_chart_give_a_full_table():
    records = parse_chart(load("signatures_126_effective.json"), "126", "u")
    records += parse_declarations(load("declarations_126.json"), "126", "u", {})
    table = status_table("126", lambda n: records, MEMO)
    by_name = {r.participant: r for r in table.rows}
    assert (by_name["Russian Federation"].denunciation, by_name["Russian Federation"].denunciation_effective) == \
        ("2025-10-22", "2026-04-22")
    assert by_name["Russian Federation"].notes == ["1 × denunciation"]
    assert by_name["Ukraine"].notes == ["1 × declaration"]
    assert len(table.rows) == 4
