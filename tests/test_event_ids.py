"""Event ids are pinned: the same real-world action keeps its id across versions.

Receivers dedupe alerts by id, and the database refuses an event whose id it already holds.
If the way an id is built changed, an upgrade would re-alert the whole history. Each test
below produces one event of a kind through the CLI or the check pipeline and compares its id
with a literal. A failure here means identity changed: that needs a migration, not a new
literal.
"""

from __future__ import annotations

import json
from datetime import date

from conftest import Reply, run_cli, write_config
from monitor.clock import NOW_ENV
from monitor.events import event_id, ops_event
from test_coe_cli import TreatyOffice, check as coe_check, config as coe_config, load as coe_load
from test_pravo import law
from test_pravo_e2e import DENUNCIATION, Portal, pravo_source
from test_untc_pipeline import Paris, fixture


def test_event_id_function_is_pinned():
    assert event_id("coe", "126:RUS", "denunciation", "2025-10-22") == "ab4d4d7fc24cb71f47a39a9aa6f235b9"
    assert event_id("src", "key", "record_changed", None, "x") == event_id("src", "key", "record_changed", "", "x")
    failing = ops_event("source_failing", "un", "2026-01-01T00:00:00.000+00:00", "un is failing",
                        "2026-01-01T00:00:00.000+00:00")
    assert failing.id == "f2ecb56ae5973fc1544b0883411abb54"


def test_pravo_denunciation_law_id_is_pinned(server, tmp_path, monkeypatch):
    monkeypatch.setenv(NOW_ENV, "2025-09-30T12:00:00+03:00")
    portal = Portal()
    server.routes["/api/Documents"] = portal
    day = date(2025, 9, 29)
    config = write_config(tmp_path, f"""
        [state]
        path = "state.db"

        {pravo_source(server.base, 3)}
    """)
    assert run_cli("--config", str(config), "check").returncode == 0
    # The eoNumber is the portal's identity of the act; the id does not depend on the day it is served.
    portal.days[f"{day:%d.%m.%Y}"] = [law("0001202509290009", "343-ФЗ", DENUNCIATION, day)]
    result = run_cli("--config", str(config), "check", "--json")
    [event] = json.loads(result.stdout)[0]["events"]
    assert (event["type"], event["id"]) == ("denunciation", "579fb33a7af62d9d029500730c64b4c1")


def test_coe_chart_event_ids_are_pinned(server, tmp_path):
    office = TreatyOffice(server)
    path = coe_config(tmp_path, server)
    assert coe_check(path)[0] == 0
    office.charts["126"] = coe_load("signatures_126_after.json")
    office.charts["210"] = coe_load("signatures_210_after.json")
    code, [report], _ = coe_check(path)
    assert code == 0
    assert sorted((e["type"], e["subject"], e["id"]) for e in report["events"]) == [
        ("denunciation", "Russian Federation", "ab4d4d7fc24cb71f47a39a9aa6f235b9"),
        ("ratification", "Czech Republic", "0d5acd96bb564d68e58f75e6e4750bab"),
        ("record_added", "Mexico", "aa69e66d6c7b1d2b9f3c05a828c1f15b"),
        ("signature", "Kazakhstan", "2dc40d321a30b65f1e0c48b1904833c9")]


def test_untc_withdrawal_and_reacceptance_ids_are_pinned(server, tmp_path):
    paris = Paris(server, tmp_path)
    try:
        paris.check(fixture("paris_1_2019-10-30.en.xml"))
        [withdrawal] = paris.check(fixture("paris_2_2019-11-05.en.xml")).events
        paris.check(fixture("paris_3_2020-11-05.en.xml"))
        [acceptance] = paris.check(fixture("paris_4_2021-01-21.en.xml")).events
        stored = sorted((e.type, e.key, e.id) for e in paris.state.events(sources=["un"]))
    finally:
        paris.state.close()
    assert (withdrawal.type, withdrawal.id) == ("denunciation", "197cc1cd3298acd5dbdd5f036a6d7a9b")
    assert (acceptance.type, acceptance.id) == ("ratification", "0dca2a9f3b1e99d9a0989574bdc28085")
    # The rewording of the withdrawal note (2020: "took effect") is on record under its own id.
    assert stored == [
        ("denunciation", "XXVII-7-d:note:United States of America:30da126d4296", "197cc1cd3298acd5dbdd5f036a6d7a9b"),
        ("ratification", "XXVII-7-d:participant:United States of America", "0dca2a9f3b1e99d9a0989574bdc28085"),
        ("record_changed", "XXVII-7-d:note:United States of America:30da126d4296",
         "2119b2ae4a9832b229b2aa55bcb1f31a")]


def test_generic_html_event_ids_are_pinned(server, tmp_path):
    def page(rows):
        cells = "".join(f"<tr><td class='state'>{s}</td><td>{n}</td></tr>" for s, n in rows)
        return Reply(200, f"<table id='chart'>{cells}</table>", {"Content-Type": "text/html; charset=utf-8"})

    server.routes["/chart.html"] = page([("France", ""), ("Spain", ""), ("Italy", "")])
    config = write_config(tmp_path, f"""
        [state]
        path = "state.db"

        [defaults]
        retries = 0
        host_delay = "0s"

        [[sources]]
        name = "chart"
        kind = "html"
        url = "{server.base}/chart.html"
        items = "#chart tr"
        key = "td.state"
        fields = {{ note = "td:nth-of-type(2)" }}
        treaty = {{ id = "ETS 126" }}  # a chart of one treaty: its notes need not name it
    """)
    assert run_cli("--config", str(config), "check").returncode == 0
    server.routes["/chart.html"] = page([("France", ""), ("Spain", "Denunciation, 01/11/2026"), ("Italy", ""),
                                         ("Malta", "")])
    result = run_cli("--config", str(config), "check", "--json")
    events = json.loads(result.stdout)[0]["events"]
    assert sorted((e["type"], e["key"], e["id"]) for e in events) == [
        ("denunciation", "Spain", "09086cbd86489f4672cec5737ac40262"),
        ("record_added", "Malta", "ccb636e3e8630559f3ca1e12b8b2750d")]


def test_untc_reservation_and_entry_into_force_ids_are_pinned(server, tmp_path):
    eif = b"<EIF><Labeltext>4 November 2016, in accordance with article 21(1).</Labeltext></EIF>"
    first = fixture("paris_1_2019-10-30.en.xml")
    assert eif in first
    declaration = (b"<Declaration><Participant>Fiji</Participant><Text type=\"para\">Declaration:</Text>"
                   b"<Text type=\"para\">On 22 April 2016 the Government of Fiji declared that it understands "
                   b"article 8 as excluding liability (constructed text).</Text></Declaration>\n</Declarations>")
    paris = Paris(server, tmp_path)
    try:
        paris.check(first.replace(eif, b"<EIF><Labeltext></Labeltext></EIF>"))
        [in_force] = paris.check(first).events
        [reservation] = paris.check(first.replace(b"</Declarations>", declaration)).events
    finally:
        paris.state.close()
    assert (in_force.type, in_force.key, in_force.date, in_force.id) == (
        "entry_into_force", "XXVII-7-d:treaty", "2016-11-04", "da6a2f2e93564cae22dbb37a6c842813")
    assert (reservation.type, reservation.subject, reservation.key, reservation.id) == (
        "reservation", "Fiji", "XXVII-7-d:note:Fiji:69b246453442", "d39c9cd25e8e75b52de759f43614394c")
