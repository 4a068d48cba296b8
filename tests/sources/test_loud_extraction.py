"""A generic source's settings that read nothing, or read dates wrongly, are loud: a field
selector that matches nothing fails the check, a wrong `date_format` makes it partial, and
neither lets a non-ISO `date` reach a receiver."""

from __future__ import annotations

import json

import pytest

from helpers.cli import run_cli
from helpers.generic import Chart, hook_table
from helpers.http import Reply

HOOK = "/hook"


def payloads(server) -> list[dict]:
    return [json.loads(hit.body) for hit in server.hits(HOOK)]


# --- 1. a field that matches nothing ------------------------------------------------------------

ROWS = [("Spain", "02/05/1989", ""), ("Russian Federation", "05/05/1998", "Denunciation, 16/03/2022"),
        ("Ukraine", "05/05/1997", "Denunciation, 01/11/2026")]
"""Two states with denunciations in `td.note`: the typo `td.notes` would hide both."""


def test_a_field_selector_that_matches_nothing_fails_the_check_naming_the_field_once(server, tmp_path):
    site = Chart(server, tmp_path, ROWS, fields='{ ratification = "td.rat", denunciation = "td.notes" }')
    result, [report] = site.check()
    assert result.returncode == 1 and report["outcome"] == "failed"
    assert report["error"] == "field 'denunciation': selector 'td.notes' matches nothing in the 3 items found"
    assert "failed sources: chart" in result.stderr
    [ops] = report["events"]
    assert ops["type"] == "structure_changed" and ops["source"] == "chart"
    assert "field 'denunciation': selector 'td.notes'" in ops["title"]
    # The next failing check is the same incident: no second structure_changed.
    text = run_cli("--config", str(site.path), "check")
    assert text.returncode == 1
    assert text.stdout.startswith("chart")
    assert "field 'denunciation': selector 'td.notes' matches nothing" in text.stdout
    result, [report] = site.check()  # the third failure in a row: the source is failing
    assert result.returncode == 1 and [e["type"] for e in report["events"]] == ["source_failing"]
    assert sorted(e["type"] for e in site.events()) == ["source_failing", "structure_changed"]
    # Fixed: the check works, the denunciations are there.
    site.write(fields='{ ratification = "td.rat", denunciation = "td.note" }')
    result, [report] = site.check()
    assert result.returncode == 0 and report["outcome"] == "baseline" and report["records"] == 3


def test_a_key_that_matches_nothing_is_the_same_structure_failure(server, tmp_path):
    site = Chart(server, tmp_path, ROWS)
    site.write(key="td.stat")
    result, [report] = site.check()
    assert result.returncode == 1 and "none has a key ('td.stat')" in report["error"]
    assert [e["type"] for e in report["events"]] == ["structure_changed"]


def test_a_typo_brought_in_by_an_edit_fails_instead_of_rebaselining(server, tmp_path):
    site = Chart(server, tmp_path, ROWS)
    assert site.check()[0].returncode == 0
    site.write(fields='{ note = "td.note", link = "td.note a@href" }')  # no note has a link
    result, [report] = site.check()
    assert result.returncode == 1
    assert report["error"] == "field 'link': selector 'td.note a@href' matches nothing in the 3 items found"
    assert [e["type"] for e in report["events"]] == ["structure_changed"]


def test_a_field_whose_elements_are_there_but_empty_is_fine(server, tmp_path):
    rows = [("Spain", "", ""), ("France", "", ""), ("Ukraine", "", "")]  # every cell there, every one empty
    site = Chart(server, tmp_path, rows, fields='{ ratification = "td.rat", note = "td.note" }')
    result, [report] = site.check()
    assert result.returncode == 0 and report["outcome"] == "baseline" and report["error"] is None
    # A field that only some items have is fine too.
    site.rows[0] = ("Spain", "", "<a href='/n/1'>Denunciation</a>")
    site.write(fields='{ note = "td.note", link = "td.note a@href" }')
    result, [report] = site.check()
    assert result.returncode == 0, report["error"]


def test_a_json_path_that_leads_nowhere_fails_and_a_null_is_a_value(server, tmp_path):
    from helpers.config import json_source_config

    rows = [{"code": "RU", "state": "Russian Federation", "denunciation": None},
            {"code": "UA", "state": "Ukraine", "denunciation": None}]
    server.routes["/parties.json"] = lambda seen: Reply(200, json.dumps(rows), {"Content-Type": "application/json"})
    path = json_source_config(tmp_path, f"{server.base}/parties.json",
                              fields='{ subject = "state", denunciation = "denunciaton" }')
    result = run_cli("--config", str(path), "check", "--json")
    [report] = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["error"] == "field 'denunciation': path 'denunciaton' matches nothing in the 2 items found"
    assert [e["type"] for e in report["events"]] == ["structure_changed"]
    path = json_source_config(tmp_path, f"{server.base}/parties.json",
                              fields='{ subject = "state", denunciation = "denunciation" }')
    result = run_cli("--config", str(path), "check", "--json")
    assert result.returncode == 0, result.stdout


def test_preview_shows_the_records_with_a_warning_line_for_the_field(server, tmp_path):
    site = Chart(server, tmp_path, ROWS, fields='{ denunciation = "td.notes" }')
    result = run_cli("--config", str(site.path), "preview", "chart")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["chart (html): 3 records",
                         "warning: field 'denunciation': selector 'td.notes' matches nothing in the 3 items found",
                         "  Spain"]
    data = json.loads(run_cli("--config", str(site.path), "preview", "chart", "--json").stdout)
    assert data["count"] == 3 and data["errors"] == []
    assert data["warnings"] == ["field 'denunciation': selector 'td.notes' matches nothing in the 3 items found"]


# --- 2. dates ------------------------------------------------------------------------------------

def test_a_wrong_date_format_is_a_partial_failure_and_no_receiver_gets_a_non_iso_date(server, tmp_path):
    server.routes[HOOK] = Reply(204)
    rows = [("Spain", "", ""), ("France", "", ""), ("Ukraine", "", "")]
    site = Chart(server, tmp_path, rows, fields='{ denunciation = "td.note" }',
                 extra='date_format = "%m/%d/%Y"', channels=hook_table(server.base + HOOK))
    assert site.check()[0].returncode == 0  # no dates yet: nothing to judge
    site.rows[0] = ("Spain", "", "25/12/2026")
    result, [report] = site.check()
    assert result.returncode == 1 and report["outcome"] == "partial"
    assert report["error"] == "field 'denunciation' of 'Spain': '25/12/2026' does not match date_format '%m/%d/%Y'"
    [event] = report["events"]
    assert (event["type"], event["date"], event["date_text"]) == ("denunciation", None, "25/12/2026")
    [sent] = payloads(server)
    assert sent["date"] is None and sent["date_text"] == "25/12/2026"
    # Still wrong at the next check, though the page did not change: still partial.
    result, [report] = site.check()
    assert result.returncode == 1 and report["outcome"] == "partial" and "'25/12/2026'" in report["error"]
    # Fixed: the check is clean again, and nothing is alerted twice.
    site.write(fields='{ denunciation = "td.note" }', extra='date_format = "%d/%m/%Y"',
               channels=hook_table(server.base + HOOK))
    result, [report] = site.check()
    assert result.returncode == 0 and report["error"] is None
    assert len(payloads(server)) == 1


def test_a_first_check_with_unreadable_dates_is_partial_but_still_a_baseline(server, tmp_path):
    rows = [("Spain", "", ""), ("France", "", "13/01/2026"), ("Ukraine", "", "")]
    site = Chart(server, tmp_path, rows, fields='{ denunciation = "td.note" }', extra='date_format = "%m/%d/%Y"')
    result, [report] = site.check()
    assert result.returncode == 1 and report["outcome"] == "partial" and report["events"] == []
    assert "field 'denunciation' of 'France': '13/01/2026' does not match date_format '%m/%d/%Y'" == report["error"]
    # The baseline is done: a change afterwards alerts, with its date read.
    site.rows[0] = ("Spain", "", "12/24/2026")
    result, [report] = site.check()
    assert [(e["type"], e["key"], e["date"], e["date_text"]) for e in report["events"]] == [
        ("denunciation", "Spain", "2026-12-24", "12/24/2026")]


def test_many_unreadable_dates_are_counted_not_all_listed(server, tmp_path):
    rows = [(f"State {n}", "", f"{12 + n}/01/2026") for n in range(1, 6)]
    site = Chart(server, tmp_path, rows, fields='{ denunciation = "td.note" }', extra='date_format = "%m/%d/%Y"')
    _, [report] = site.check()
    assert report["error"].count("does not match date_format") == 3
    assert report["error"].endswith("; and 2 more values")


def test_without_date_format_a_date_in_words_is_read_and_figures_stay_as_written(server, tmp_path):
    site = Chart(server, tmp_path, [("Spain", "", ""), ("France", "", ""), ("Russian Federation", "", "")],
                 fields='{ ratification = "td.rat", denunciation = "td.note" }')
    site.check()
    site.rows = [("Spain", "29 September 2025", ""), ("France", "", "01/02/2026"),
                 ("Russian Federation", "", "16 марта 2022 г.")]
    result, [report] = site.check()
    assert result.returncode == 0 and report["error"] is None  # ambiguity is no failure
    assert sorted((e["key"], e["date"], e["date_text"]) for e in report["events"]) == [
        ("France", None, "01/02/2026"), ("Russian Federation", "2022-03-16", "16 марта 2022 г."),
        ("Spain", "2025-09-29", "29 September 2025")]


def test_preview_shows_each_action_date_beside_its_text(server, tmp_path):
    rows = [("Spain", "02/05/1989", "16/03/2022"), ("France", "29 September 2025", "")]
    site = Chart(server, tmp_path, rows, fields='{ ratification = "td.rat", denunciation = "td.note" }',
                 extra='date_format = "%d/%m/%Y"')
    result = run_cli("--config", str(site.path), "preview", "chart")
    assert result.returncode == 1  # France's ratification cannot be read with the format
    lines = result.stdout.splitlines()
    assert lines[1] == ("warning: field 'ratification' of 'France': '29 September 2025' does not match "
                        "date_format '%d/%m/%Y'")
    assert lines[2:] == [
        "  Spain",
        "      ratification  02/05/1989  → 1989-05-02",
        "      denunciation  16/03/2022  → 2022-03-16",
        "  France",
        "      ratification  29 September 2025  (no date: does not match date_format '%d/%m/%Y')",
        "      denunciation  -"]
    data = json.loads(run_cli("--config", str(site.path), "preview", "chart", "--json").stdout)
    assert data["records"][0]["dates"]["denunciation"] == {"date": "2022-03-16", "date_text": "16/03/2022",
                                                           "problem": None}
    # Without date_format: words are read, figures are called ambiguous.
    site.write(fields='{ ratification = "td.rat", denunciation = "td.note" }')
    result = run_cli("--config", str(site.path), "preview", "chart")
    assert result.returncode == 0
    assert "      ratification  29 September 2025  → 2025-09-29" in result.stdout.splitlines()
    assert ("      denunciation  16/03/2022  (ambiguous date, kept as written: set date_format to read it)"
            in result.stdout.splitlines())


@pytest.mark.parametrize("text, date_format, expected", [
    ("2022-03-16", None, ("2022-03-16", "2022-03-16", None)),
    ("Denounced on 16 March 2022.", None, ("2022-03-16", "16 March 2022", None)),
    ("March 16th, 2022", None, ("2022-03-16", "March 16th, 2022", None)),
    ("1er octobre 2025", None, ("2025-10-01", "1er octobre 2025", None)),
    ("Денонсировано 16 марта 2022 г.", None, ("2022-03-16", "16 марта 2022", None)),
    ("31 February 2022", None, (None, None, None)),
    ("01/02/2026", None, (None, "01/02/2026", "ambiguous")),
    ("Ratified", None, (None, None, None)),
    ("Denunciation, 16/03/2022", "%d/%m/%Y", ("2022-03-16", "16/03/2022", None)),
    ("25/12/2026", "%m/%d/%Y", (None, "25/12/2026", "'25/12/2026' does not match date_format '%m/%d/%Y'")),
    ("pending", "%d/%m/%Y", (None, None, "'pending' does not match date_format '%d/%m/%Y'")),
])
def test_reading_a_date(text, date_format, expected):
    from monitor.sources.dates import read_date

    reading = read_date(text, date_format)
    date, written, problem = expected
    assert (reading.date, reading.text) == (date, written)
    assert (reading.problem is None) if problem is None else (problem in reading.problem)


def test_a_day_a_month_name_and_a_year_in_any_language_the_kinds_read():
    from monitor.sources.dates import day_month_year

    assert day_month_year("5", "Feb", "2020") == "2020-02-05"
    assert day_month_year("1", "octobre", "2025") == "2025-10-01"
    assert day_month_year("29", "сентября", "2025") == "2025-09-29"
    assert day_month_year("3", "Sept.", "2016") == "2016-09-03"
    assert day_month_year("30", "February", "2026") is None and day_month_year("3", "Foo", "2016") is None
