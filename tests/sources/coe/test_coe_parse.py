"""The Treaty Office answers as records: declarations, chart flags and odd values, the treaty list's
fallbacks, the catalogue built from it, and the messages that name an unexpected answer."""

from __future__ import annotations

import json

import pytest

from helpers.coe import TORTURE, TREATY_LIST, load
from monitor.documents import DocUpdate
from monitor.errors import StructureChanged
from monitor.net import document_key
from monitor.sources.coe import (
    SEARCH_ALL,
    TreatyInfo,
    default_mention,
    parse_chart,
    parse_declarations,
    parse_treaty_list,
    treaty_number,
)
from monitor.sources.coe.catalogue import catalogue_entries, from_updates
from monitor.sources.coe.parse import is_denunciation, is_withdrawal_notice

URL = "http://x/api/conventions/getDeclarations?numSte=126"
DECLARATIONS_PAGE = ("https://www.coe.int/en/web/conventions/full-list?module=declarations-by-treaty&numSte=126"
                     "&codeNature=0")


def item(**changes) -> dict:
    base = {"code_Pays": {"Key": "FRA", "Value": "France"}, "code_Organisation": {"Libelle": "Null"},
            "nature_Dec": "Reservation", "numero_Article": "5", "date_Effet": "2020-01-01T00:00:00",
            "date_Effet_Retrait": None, "texte_Decl": "<p>France &eacute;met une r&eacute;serve</p>"}
    return base | changes


# --- declarations ----------------------------------------------------------------------------------

def test_a_declaration_record_has_every_field_and_links_to_the_declarations_page():
    [record] = parse_declarations([item(date_Effet_Retrait="2024-05-01T00:00:00")], "126", URL, {})
    assert record.key == "126:declaration:FRA:Reservation:5:2020-01-01"
    assert record.fields == {"treaty": "126", "state": "France", "code": "FRA", "nature": "Reservation",
                             "article": "5", "effective": "2020-01-01", "withdrawn": "2024-05-01",
                             "text": "France émet une réserve"}
    assert (record.title, record.url) == ("Reservation: France", DECLARATIONS_PAGE)


def test_the_real_shaped_declarations_give_a_denunciation_and_a_declaration():
    records = parse_declarations(load("declarations_126.json"), "126", URL, {})
    assert [(r.key, r.fields["state"], r.fields["text"]) for r in records] == [
        ("126:declaration:RUS:Denunciation:23:2026-04-22", "Russian Federation",
         "Note verbale … the Russian Federation denounces the Convention."),
        ("126:declaration:UKR:Declaration:17:2015-06-11", "Ukraine", "Ukraine declares …")]


def test_an_organisation_declares_under_its_name_and_the_chart_code():
    org = item(code_Pays=None, code_Organisation={"Libelle": "European Union"})
    [record] = parse_declarations([org], "126", URL, {"european union": "UE"})
    assert (record.fields["state"], record.fields["code"], record.key) == (
        "European Union", "UE", "126:declaration:UE:Reservation:5:2020-01-01")
    # A state named but without a code takes the chart's code for that name, whatever its case.
    [named] = parse_declarations([item(code_Pays={"Value": "France"})], "126", URL, {"france": "FRA"})
    assert named.fields["code"] == "FRA"


def test_a_null_organisation_is_no_party_and_missing_values_are_dashes_in_the_key():
    bare = {"code_Pays": "FRA", "code_Organisation": {"Libelle": "NULL"}, "nature_Dec": None}
    [record] = parse_declarations([bare], "126", URL, {})
    assert record.key == "126:declaration:-:-:-:-"
    assert (record.fields["state"], record.fields["code"], record.fields["text"]) == (None, None, None)
    assert record.title == "Declaration: ?"
    [org] = parse_declarations([{"nature_Dec": "Declaration", "code_Organisation": {"Libelle": "null"},
                                 "code_Pays": {"Value": "Null state"}}], "126", URL, {})
    assert org.fields["state"] == "Null state"
    [alone] = parse_declarations([{"nature_Dec": "Declaration", "code_Pays": {"Key": "FRA"}}], "126", URL, {})
    assert (alone.fields["state"], alone.fields["code"]) == (None, "FRA")
    [named] = parse_declarations([{"nature_Dec": "Declaration", "code_Organisation": {"Libelle": "Nullity Org"}}],
                                 "126", URL, {})
    assert named.fields["state"] == "Nullity Org" and named.key == "126:declaration:Nullity Org:Declaration:-:-"


def test_two_declarations_with_the_same_key_are_told_apart_by_their_text():
    records = parse_declarations([item(texte_Decl="<p>one</p>"), item(texte_Decl="<p>two</p>"),
                                  item(texte_Decl=None)], "126", URL, {})
    keys = [r.key for r in records]
    assert keys == ["126:declaration:FRA:Reservation:5:2020-01-01",
                    "126:declaration:FRA:Reservation:5:2020-01-01:3fc4ccfe",
                    "126:declaration:FRA:Reservation:5:2020-01-01:e3b0c442"]


@pytest.mark.parametrize("data, message", [
    ({"items": []}, f"{URL}: expected a JSON list of declarations, got dict"),
    ([{"code_Pays": {"Key": "FRA"}}], f"{URL}: a declaration without \"nature_Dec\""),
    (["FRA"], f"{URL}: a declaration without \"nature_Dec\""),
    ([item(date_Effet="01/01/2020")], f"{URL}: France date_Effet: expected a date like \"1987-11-26T00:00:00\" "
                                      "or null, got '01/01/2020'"),
    ([item(date_Effet_Retrait=20200101)], f"{URL}: France date_Effet_Retrait: expected a date like "
                                          "\"1987-11-26T00:00:00\" or null, got 20200101"),
])
def test_declarations_of_another_shape_name_the_problem(data, message):
    with pytest.raises(StructureChanged) as caught:
        parse_declarations(data, "126", URL, {})
    assert str(caught.value) == message


@pytest.mark.parametrize("nature, denunciation, withdrawal", [
    ("Denunciation", True, False), ("DÉNONCIATION", True, False), ("denonciation", True, False),
    ("Withdrawal of declaration", False, True), ("Retrait de réserve", False, True), ("Reservation", False, False),
    (None, False, False)])
def test_natures_in_either_language(nature, denunciation, withdrawal):
    assert (is_denunciation(nature), is_withdrawal_notice(nature)) == (denunciation, withdrawal)


# --- chart values ----------------------------------------------------------------------------------

def chart_row(**fields) -> dict:
    return parse_chart([[{"CodePays": "FRA", "LibPaysOrga": "France", "NumSTE": "126"} | fields], []],
                       "126", "http://x/api/signatures?numSTE=126")[0]


@pytest.mark.parametrize("value", [True, 1, "1", "true", "Y", "x", " oui "])
def test_a_set_flag_is_shown(value):
    assert chart_row(Reserves=value).fields["flags"] == "R"


@pytest.mark.parametrize("value", [False, 0, None, "", " ", "0", "false", "FALSE", "n", "N", "no", "No", "non",
                                   "null", "NULL"])
def test_an_unset_flag_in_any_spelling_is_not_shown(value):
    assert chart_row(Reserves=value).fields["flags"] is None


def test_flags_are_listed_in_the_chart_order_and_the_record_links_the_chart():
    record = chart_row(Objections=1, Reserves=1, Autorites=1, Communications=1, Declarations=1, Territoires=1)
    assert record.fields["flags"] == "R D A T C O"
    assert record.title == "France — treaty 126"
    assert record.url == "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126"
    assert record.fields["treaty"] == "126"


def test_unknown_fields_are_kept_as_stable_text():
    record = chart_row(Extra={"b": "é", "a": [1]}, Yes=True, No=False, Nothing=None, Number=3)
    assert record.fields["Extra"] == '{"a": [1], "b": "é"}'
    assert (record.fields["Yes"], record.fields["No"], record.fields["Nothing"], record.fields["Number"]) == \
        ("true", "false", None, "3")


@pytest.mark.parametrize("value, expected", [
    ("1987-11-26T00:00:00", "1987-11-26"), ("1987-11-26", "1987-11-26"), ("1987-11-26T00:00:00Z", "1987-11-26"),
    ("1987-11-26 00:00:00+01:00", "1987-11-26"), ("0001-01-01T00:00:00", None), ("", None), (None, None)])
def test_chart_dates(value, expected):
    assert chart_row(DateSignature=value).fields["signature"] == expected


def test_a_chart_row_with_a_blank_treaty_number_is_read():
    assert chart_row(NumSTE="").key == "126:FRA"


@pytest.mark.parametrize("data, message", [
    ({"a": 1}, "got dict"),
    ([[]], "got a list of 1 items (list)"),
    ([[], "x", 3], "got a list of 3 items (int, list, str)"),
    ([], "got a list of 0 items (none)"),
    ([[None], []], "a member row is NoneType, not an object"),
    ([[], ["FRA"]], "a non-member row is str, not an object"),
    ([[], [{"LibPaysOrga": "X", "NumSTE": "126"}]], "a non-member row has no \"CodePays\" (fields: LibPaysOrga, "
                                                    "NumSTE)"),
    ([[], [], [{"CodePays": "UE", "NumSTE": 5}]], "asked for treaty 126 but a row is for treaty 5 (parameter "
                                                  "ignored?)"),
    ([[], [], [{"CodePays": "UE", "NumSTE": "ECHR"}]], "a row is for treaty 'ECHR'"),
    ([[{"CodePays": "FRA", "DateSuspension": 3}], []], "u: FRA DateSuspension: expected a date"),
])
def test_charts_of_another_shape_name_the_problem(data, message):
    with pytest.raises(StructureChanged) as caught:
        parse_chart(data, "126", "u")
    assert message in str(caught.value) and str(caught.value).startswith("u: ")


# --- treaty numbers and the treaty list ----------------------------------------------------------

@pytest.mark.parametrize("value, expected", [(126, "126"), ("5", "005"), (" 12a ", "012A"), ("0194", "194")])
def test_treaty_numbers(value, expected):
    assert treaty_number(value) == expected


@pytest.mark.parametrize("value, message", [
    (True, "a treaty number must be a number such as 126, not True"),
    (12.5, "a treaty number must be a number such as 126, not 12.5"),
    ("1234", "'1234' is not a treaty number (e.g. 126, 5 or \"012A\")"),
    ("000", "'000' is not a treaty number"),
])
def test_bad_treaty_numbers(value, message):
    with pytest.raises(ValueError) as caught:
        treaty_number(value)
    assert message in str(caught.value)


def test_the_series_changes_at_treaty_194():
    assert [default_mention(n) for n in ("193", "194", "195", "012A")] == ["ETS", "CETS", "CETS", "ETS"]


def test_a_listed_treaty_without_english_title_or_series_falls_back():
    treaties = parse_treaty_list([
        {"Numero_traite": "201", "Libelle_titre_ENG": None, "Libelle_titre_FRE": "Convention du Conseil (*)",
         "Mention": None, "Nom_commun_ENG": "None", "Nom_commun_FRE": "Lanzarote", "Libelle_titre_RUS": 3},
        {"Numero_traite": "5", "Libelle_titre_ENG": "", "Mention": "ETS"}], "list")
    assert (treaties["201"].title, treaties["201"].mention, treaties["201"].full_title) == (
        "Convention du Conseil", "CETS", "Convention du Conseil (CETS No. 201)")
    assert treaties["201"].titles == {"FRE": "Convention du Conseil (*)"}
    assert treaties["201"].short_names == {"FRE": "Lanzarote"}
    assert treaties["005"].full_title == "Treaty 005 (ETS No. 005)"


def test_the_series_the_list_gives_wins_over_the_number():
    treaties = parse_treaty_list([{"Numero_traite": "210", "Libelle_titre_ENG": "A convention", "Mention": "ETS"}],
                                 "list")
    assert treaties["210"].designation == "ETS No. 210"


@pytest.mark.parametrize("data, message", [
    ({"a": 1}, "list: expected a JSON list of treaties, got dict"),
    ([{"Numero_traite": None}], "list: a treaty without \"Numero_traite\" in the treaty list"),
    (["126"], "list: a treaty without \"Numero_traite\" in the treaty list"),
    ([{"Numero_traite": "ECHR"}], "list: unknown treaty number 'ECHR'"),
])
def test_treaty_lists_of_another_shape_name_the_problem(data, message):
    with pytest.raises(StructureChanged) as caught:
        parse_treaty_list(data, "list")
    assert str(caught.value) == message


def test_a_treaty_kept_in_the_memo_comes_back_whole():
    info = parse_treaty_list(TREATY_LIST, "list")["126"]
    back = TreatyInfo.from_memo("126", json.loads(json.dumps(info.memo())))
    assert back == info
    assert (back.full_title, back.titles["FRE"], back.short_names["ENG"]) == (
        TORTURE, info.titles["FRE"], "Anti-Torture Convention")
    older = TreatyInfo.from_memo("126", {"title": "A title", "mention": "ETS"})
    assert (older.number, older.full_title, older.titles, older.short_names) == (
        "126", "A title (ETS No. 126)", {}, {})


# --- the catalogue ---------------------------------------------------------------------------------

BASE = "https://ws.coe.test/"
LIST_KEY = document_key("POST", BASE + "api/traites/search", None, SEARCH_ALL)
BODY = json.dumps(TREATY_LIST).encode()


def update(key: str, body: bytes | None) -> DocUpdate:
    return DocUpdate(key, key, None, None, "hash", body, None)


def test_the_catalogue_has_every_treaty_in_three_languages():
    entries = {e.number: e for e in catalogue_entries(TREATY_LIST, "list")}
    assert len(entries) == 232
    torture = entries["126"]
    assert (torture.id, torture.catalogue, torture.title_en, torture.url) == (
        "ETS No. 126", "coe", TORTURE,
        "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126")
    assert torture.title_fr.startswith("Convention européenne pour la prévention de la torture")
    assert torture.title_ru.startswith("Европейская конвенция по предупреждению пыток")
    assert (torture.short_en, torture.short_fr) == ("Anti-Torture Convention", "Convention contre la torture")
    assert torture.short_ru


def test_the_catalogue_comes_from_a_fresh_list_or_else_the_stored_one_while_empty():
    asked = []

    def stored(key: str) -> bytes | None:
        asked.append(key)
        return BODY if key == LIST_KEY else None

    fresh = from_updates(BASE, [update("GET other", b"[]"), update(LIST_KEY, BODY)], stored, False)
    assert len(fresh) == 232 and asked == []
    # The list unchanged (no body) and the catalogue already filled: nothing new.
    assert from_updates(BASE, [update(LIST_KEY, None)], stored, False) is None
    assert asked == []
    # An empty catalogue is filled from the copy stored by an earlier check.
    assert len(from_updates(BASE, [update(LIST_KEY, None)], stored, True)) == 232
    assert asked == [LIST_KEY]
    assert from_updates(BASE, [], lambda key: None, True) is None


def test_a_list_that_is_not_json_gives_no_catalogue():
    assert from_updates(BASE, [update(LIST_KEY, b"<html>")], lambda key: None, False) is None
