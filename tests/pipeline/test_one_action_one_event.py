"""One change to one record that shows the same action in several places (a dated column
and a status text, two columns, a note and a column) is one event, with the best date, and
one alert per channel."""

from __future__ import annotations

import json

from helpers.cli import run_cli
from helpers.config import QUICK, monitor_config, source_table
from helpers.generic import hook_table
from helpers.http import Reply
from monitor.diff import Stored, diff_part
from monitor.events import Treaty, event_id
from monitor.records import Record
from monitor.sources.generic import EventContext, generic_events

DENUNCIATION_ID = "b8f15cc46d92677844a9a4386cee4f92"
"""The id of Russia's denunciation in `cpt-chart`, computed once with the id rule of
`events.event_id` (source, record, type, then action, field, value): if this changes, every
receiver would be alerted again."""

STATUS = "Денонсировано — выход из Конвенции"
TREATY = '{ id = "ETS 126", title = "European Convention for the Prevention of Torture" }'


def config(server, tmp_path, kind: str, path: str, items: str, fields: str, extra: str = ""):
    """The source `cpt-chart` of `kind` watching `path` on the server, keyed by state, and a
    webhook receiver at /hook."""
    server.routes["/hook"] = Reply(204)
    return monitor_config(tmp_path,
                          source_table("cpt-chart", kind, f"treaty = {TREATY}", f"fields = {fields}", extra,
                                       url=f"{server.base}{path}", items=items,
                                       key="state" if kind == "json" else "td.state"),
                          hook_table(f"{server.base}/hook"), defaults=QUICK)


def one_denunciation(path, change) -> dict:
    """Check a baseline, make `change` to the page, check again: the one event it raised."""
    assert check(path)[0] == 0
    change()
    code, report = check(path)
    assert code == 0
    [event] = report["events"]
    return event


def check(path) -> tuple[int, dict]:
    result = run_cli("--config", str(path), "check", "--json")
    assert "Traceback" not in result.stderr, result.stderr
    [report] = json.loads(result.stdout)
    return result.returncode, report


def test_the_id_literal_is_todays_rule():
    assert event_id("cpt-chart", "Russian Federation", "denunciation", "denunciation", "denunciation",
                    "16/03/2022") == DENUNCIATION_ID


def test_a_json_record_gaining_a_denunciation_date_and_status_is_one_denunciation(server, tmp_path):
    parties = [{"state": "Russian Federation", "denunciation": "", "status": "Ратифицировано"},
               {"state": "Ukraine", "denunciation": "", "status": "Ратифицировано"}]
    server.routes["/chart.json"] = lambda seen: Reply(200, json.dumps({"parties": parties}, ensure_ascii=False),
                                                      {"Content-Type": "application/json"})
    path = config(server, tmp_path, "json", "/chart.json", "parties",
                  '{ denunciation = "denunciation", status = "status" }', 'date_format = "%d/%m/%Y"')
    event = one_denunciation(path, lambda: parties.__setitem__(0, {"state": "Russian Federation",
                                                                    "denunciation": "16/03/2022", "status": STATUS}))
    assert (event["type"], event["id"], event["date"], event["date_text"]) == (
        "denunciation", DENUNCIATION_ID, "2022-03-16", "16/03/2022")
    assert event["details"]["changed"] == {"denunciation": {"old": None, "new": "16/03/2022"},
                                           "status": {"old": "Ратифицировано", "new": STATUS}}
    [sent] = [json.loads(hit.body) for hit in server.hits("/hook")]
    assert sent["id"] == DENUNCIATION_ID and sent["type"] == "denunciation" and sent["date"] == "2022-03-16"
    assert set(sent["changes"]) == {"denunciation", "status"}
    check(path)
    assert len(server.hits("/hook")) == 1
    assert [e["type"] for e in json.loads(run_cli("--config", str(path), "events", "--json").stdout)] == [
        "denunciation"]


def test_the_html_equivalent_is_the_same_one_event_with_the_same_id(server, tmp_path):
    rows = {"Russian Federation": ("", "Ратифицировано"), "Ukraine": ("", "Ратифицировано")}

    def page(seen):
        body = "".join(f"<tr><td class='state'>{s}</td><td class='den'>{d}</td><td class='status'>{t}</td></tr>"
                       for s, (d, t) in rows.items())
        return Reply(200, f"<table id='chart'>{body}</table>", {"Content-Type": "text/html; charset=utf-8"})

    server.routes["/chart.html"] = page
    path = config(server, tmp_path, "html", "/chart.html", "#chart tr",
                  '{ denunciation = "td.den", status = "td.status" }')
    event = one_denunciation(path, lambda: rows.update({"Russian Federation": ("16/03/2022", STATUS)}))
    # No date_format: the figures are kept as written; the id does not depend on the format or the kind.
    assert (event["type"], event["id"], event["date"], event["date_text"]) == (
        "denunciation", DENUNCIATION_ID, None, "16/03/2022")
    assert len(server.hits("/hook")) == 1


def _change(old: dict, new: dict):
    [change] = diff_part({"Spain": Stored(Record("Spain", old))}, [Record("Spain", new)]).changes
    return change


def test_the_place_with_a_date_gives_the_event_its_date_and_id_whatever_the_order():
    context = EventContext(Treaty("ETS 126"), "%d/%m/%Y")
    change = _change({"denunciation": None, "z_note": None},
                     {"denunciation": "yes", "z_note": "Denunciation, 16/03/2022"})
    [event] = generic_events("chart", change, "2026-01-01T00:00:00+00:00", context)
    assert (event.type, event.date, event.date_text) == ("denunciation", "2022-03-16", "16/03/2022")
    assert event.id == event_id("chart", "Spain", "denunciation", "denunciation", "z_note", "Denunciation, 16/03/2022")
    assert set(event.details["changed"]) == {"denunciation", "z_note"}


def test_a_new_record_with_two_columns_of_one_action_is_one_event():
    [change] = diff_part({}, [Record("Malta", {"ratification": "", "accession": "01/12/2026",
                                              "denunciation": ""})]).changes
    events = generic_events("chart", change, "2026-01-01T00:00:00+00:00", EventContext(None, "%d/%m/%Y"))
    assert [(e.type, e.date) for e in events] == [("ratification", "2026-12-01")]
    change = _change({"ratification": None, "accession": None},
                     {"ratification": "01/12/2026", "accession": "01/12/2026"})
    [event] = generic_events("chart", change, "2026-01-01T00:00:00+00:00", EventContext(None, "%d/%m/%Y"))
    assert event.type == "ratification" and set(event.details["changed"]) == {"ratification", "accession"}
    # Different actions in one change stay different events.
    change = _change({"ratification": None, "denunciation": None},
                     {"ratification": "01/12/2020", "denunciation": "01/12/2026"})
    events = generic_events("chart", change, "2026-01-01T00:00:00+00:00", EventContext(None, "%d/%m/%Y"))
    assert sorted(e.type for e in events) == ["denunciation", "ratification"]
