"""The `hcch` kind against a mocked hcch.net (respx): the status table read by header name, day-ROMAN-year
dates, `Den` rows with the sentences below the table, and the pages that must fail loudly."""

from __future__ import annotations

import httpx
import pytest
import respx

from depositaries import FIXTURES, Monitor, alerts
from monitor.errors import StructureChanged
from monitor.sources.hcch import conventions_option, parse_status_table, roman_date
from monitor.treaties.stories import state_id

BASE = "https://hcch.test"
PRINT = BASE + "/en/instruments/conventions/status-table/print/?cid={cid}"
PAGE = BASE + "/en/instruments/conventions/status-table/?cid=31"
HERE = FIXTURES / "hcch"
TITLE = ("31: Convention of 15 June 1955 relating to the settlement of the conflicts between the law of nationality "
         "and the law of domicile")


def text(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def table(name: str):
    return parse_status_table(text(name), 31, PAGE, "cid 31")


@pytest.fixture
def site():
    pages = {31: text("cid31_before.html")}
    with respx.mock(assert_all_called=False) as router:
        printed = r"https://hcch\.test/en/instruments/conventions/status-table/print/\?cid=(?P<cid>\d+)"
        router.get(url__regex=printed).mock(
            side_effect=lambda request, cid: httpx.Response(200, text=pages[int(cid)],
                                                            headers={"Content-Type": "text/html; charset=utf-8"}))
        yield pages


def test_dates_are_day_roman_month_year():
    assert roman_date("23-X-1956", "x") == "1956-10-23"
    assert roman_date("1-IX-2023*", "x") == "2023-09-01"
    assert roman_date("", "x") is None
    with pytest.raises(StructureChanged, match="not a day-ROMAN-year date"):
        roman_date("23-XIII-1956", "x")


def test_the_table_is_read_by_header_and_a_den_row_from_the_sentences_below():
    parsed = table("cid31_before.html")
    assert parsed.title == TITLE
    rows = {r.fields["state"]: r.fields for r in parsed.records}
    assert (rows["Denmark"]["signature"], rows["Denmark"]["consent"], rows["Denmark"]["entry_into_force"],
            rows["Denmark"]["action"]) == ("1956-10-23", "1964-07-03", "1964-09-01", "ratification")
    assert rows["Niger"]["action"] == "accession" and rows["Spain"]["reservation"] == "D 14"
    belgium = rows["Belgium"]
    assert (belgium["consent"], belgium["entry_into_force"], belgium["denunciation"],
            belgium["denunciation_effective"]) == ("1962-10-29", "1964-09-01", "1999-02-19", "1999-09-01")
    assert {state_id(name) for name in rows} == {"BEL", "DNK", "FIN", "NER", "ESP"}


@pytest.mark.parametrize("name, message", [
    ("cid31_unknown_column.html", r"unknown columns \['Depositary6'\]"),
    ("cid31_den_without_sentence.html", "marked Den, but no sentence says when Finland denounced"),
    ("maintenance.html", "no status table"),
])
def test_pages_of_another_shape_fail_loudly(name, message):
    with pytest.raises(StructureChanged, match=message):
        table(name)


def test_an_empty_or_truncated_page_fails_loudly():
    with pytest.raises(StructureChanged, match="empty page"):
        parse_status_table("", 31, PAGE, "cid 31")
    cut = text("cid31_before.html").split("<tbody>")[0]
    with pytest.raises(StructureChanged, match="no party rows"):
        parse_status_table(cut, 31, PAGE, "cid 31")


def test_unknown_type_codes_fail_loudly():
    page = text("cid31_before.html").replace("<td>A</td>", "<td>Xyz</td>")
    with pytest.raises(StructureChanged, match="unknown Type 'Xyz'"):
        parse_status_table(page, 31, PAGE, "cid 31")


def test_conventions_are_integer_cids():
    assert conventions_option([41, 137, 41]) == [41, 137]
    with pytest.raises(ValueError, match="list of cids"):
        conventions_option(["41"])


def test_baseline_then_one_denunciation_with_its_effect(site, tmp_path):
    monitor = Monitor(tmp_path, "hcch", base_url=BASE, conventions=[31])
    first = monitor.check()
    assert (first.outcome, first.events, first.error) == ("baseline", [], None)
    site[31] = text("cid31_denounced.html")
    second = monitor.check()
    assert alerts(second) == [("denunciation", "Finland", "2026-03-02", "2026-09-01")]
    event = second.events[0]
    assert (event.treaty.id, event.treaty.title, event.url) == ("HCCH cid 31", TITLE, PAGE)
    assert monitor.check().events == []


def test_a_maintenance_page_later_fails_the_check_and_keeps_the_rows(site, tmp_path):
    monitor = Monitor(tmp_path, "hcch", base_url=BASE, conventions=[31])
    assert monitor.check().outcome == "baseline"
    site[31] = text("maintenance.html")
    report = monitor.check()
    assert report.outcome == "failed" and "no status table" in report.error
    assert len(monitor.records()) == 5 and [e.type for e in report.events] == ["structure_changed"]
