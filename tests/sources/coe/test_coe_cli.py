"""The `coe` kind end to end: the CLI against a local Treaty Office web service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.cli import run_cli
from helpers.coe import (  # test_event_ids.py imports four of these from here
    PUBLIC_KEY,
    TreatyOffice,
    check,
    check_here,
    config,
    load,
)
from helpers.http import Reply


@pytest.fixture
def office(server):
    return TreatyOffice(server)


def events(path: Path) -> list[dict]:
    return json.loads(run_cli("--config", str(path), "events", "--json").stdout)


def test_three_cycles_raise_each_treaty_action_once(tmp_path, server, office):
    path = config(tmp_path, server)
    code, [report], _ = check(path)
    assert (code, report["outcome"], report["added"], report["events"]) == (0, "baseline", 11, [])

    office.charts["126"] = load("signatures_126_after.json")
    code, [report], _ = check(path)
    assert code == 0
    assert [(e["type"], e["subject"], e["date"]) for e in report["events"]] == \
        [("denunciation", "Russian Federation", "2025-10-22")]
    event = report["events"][0]
    assert event["treaty"]["id"] == "ETS No. 126"
    assert event["title"].startswith("Denunciation: Russian Federation — European Convention for the Prevention "
                                     "of Torture")
    assert event["url"].endswith("module=signatures-by-treaty&treatynum=126")

    office.charts["126"] = load("signatures_126_effective.json")
    office.charts["210"] = load("signatures_210_after.json")
    code, [report], _ = check(path)
    assert code == 0
    assert sorted((e["type"], e["subject"]) for e in report["events"]) == [
        ("ratification", "Czech Republic"), ("record_added", "Mexico"),
        ("record_changed", "Russian Federation"), ("signature", "Kazakhstan")]

    code, [report], _ = check(path)
    assert (code, report["outcome"], report["events"]) == (0, "unchanged", [])
    stored = events(path)
    assert sorted(e["type"] for e in stored) == ["denunciation", "ratification", "record_added",
                                                 "record_changed", "signature"]
    # Every request carried the public key; the treaty list was fetched once, then cached.
    assert {r.headers.get("token") for r in server.requests} == {PUBLIC_KEY}
    assert len(server.hits("/api/traites/search")) == 1
    assert len(server.hits("/api/signatures")) == 4 * 3
    assert not server.hits("/en/web/conventions/full-list")


def test_refused_key_is_read_again_from_the_page(tmp_path, server, office):
    office.key = office.page_key = "n3wk3y"
    path = config(tmp_path, server)
    assert check_here(path)["outcome"] == "baseline"
    assert len(server.hits("/en/web/conventions/full-list")) == 1
    # The new key is remembered: the next check uses it straight away.
    server.requests.clear()
    assert check_here(path)["outcome"] == "unchanged"
    assert {r.headers.get("token") for r in server.requests} == {"n3wk3y"}


def test_refused_key_with_no_new_key_on_the_page_fails_clearly(tmp_path, server, office):
    office.key = "n3wk3y"
    report = check_here(config(tmp_path, server))
    assert report["outcome"] == "failed"
    assert "refused the key (HTTP 403)" in report["error"] and "same key" in report["error"]


def test_server_error_on_one_treaty_fails_only_that_treaty(tmp_path, server, office):
    path = config(tmp_path, server)
    assert check_here(path)["outcome"] == "baseline"
    office.charts["126"] = load("signatures_126_after.json")
    office.failing.add("210")
    code, [report], stderr = check(path)
    # The check is reported as failed (exit 1, "partial"), but the other treaties go on:
    # the denunciation on ETS 126 is not held back by a 500 on CETS 210.
    assert (code, report["outcome"]) == (1, "partial")
    assert "210" in report["error"] and "HTTP 500" in report["error"] and "Traceback" not in stderr
    assert [e["type"] for e in report["events"]] == ["denunciation"]
    sources = json.loads(run_cli("--config", str(path), "sources", "--json").stdout)
    assert (sources[0]["status"], sources[0]["records"], sources[0]["consecutive_failures"]) == ("partial", 11, 1)
    office.failing.clear()
    report = check_here(path)
    assert report["outcome"] == "unchanged" and report["events"] == []  # raised once, not again
    assert [e["type"] for e in events(path) if e["key"]] == ["denunciation"]


def test_server_error_everywhere_fails_the_check_and_keeps_the_records(tmp_path, server, office):
    path = config(tmp_path, server)
    assert check_here(path)["outcome"] == "baseline"
    office.charts["126"] = load("signatures_126_after.json")
    office.failing.update({"126", "148", "210"})
    code, [report], stderr = check(path)
    assert (code, report["outcome"]) == (1, "failed")
    assert "HTTP 500" in report["error"] and "Traceback" not in stderr
    sources = json.loads(run_cli("--config", str(path), "sources", "--json").stdout)
    assert (sources[0]["status"], sources[0]["records"]) == ("failed", 11)
    assert not [e for e in events(path) if e["key"]]  # no treaty or record events, only the failure
    # Once the service is back, the denunciation seen during the failed check is raised once.
    office.failing.clear()
    assert [e["type"] for e in check_here(path)["events"]] == ["denunciation"]


def test_empty_chart_for_a_treaty_with_parties_fails_that_treaty(tmp_path, server, office):
    path = config(tmp_path, server)
    assert check_here(path)["outcome"] == "baseline"
    office.charts["126"] = [[], [], []]
    report = check_here(path)
    assert report["outcome"] == "partial"
    assert "'126'" in report["error"] and "no items" in report["error"]
    assert not [e for e in events(path) if e["key"]]  # no removals, no events


def config_with(tmp_path: Path, server, extra: str) -> Path:
    path = config(tmp_path, server)
    path.write_text(path.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    return path


def test_treaty_added_to_the_config_is_a_quiet_baseline(tmp_path, server, office):
    path = config_with(tmp_path, server, "treaties = [126]\nstates = [\"rus\", \"Czech Republic\"]")
    report = check_here(path)
    assert (report["outcome"], report["added"]) == ("baseline", 1)  # only the Russian row of treaty 126
    # Treaty 210 joins the watch list: its chart is history, not news.
    office.charts["210"] = load("signatures_210_after.json")
    config_with(tmp_path, server, "treaties = [126, 210]\nstates = [\"rus\", \"Czech Republic\"]")
    report = check_here(path)
    assert (report["outcome"], report["added"], report["events"]) == ("changed", 1, [])
    office.charts["126"] = load("signatures_126_after.json")
    report = check_here(path)
    assert [(e["type"], e["subject"]) for e in report["events"]] == [("denunciation", "Russian Federation")]


def test_unknown_treaty_number_fails_with_a_clear_message(tmp_path, server, office):
    report = check_here(config_with(tmp_path, server, "treaties = [126, 999]"))
    assert report["outcome"] == "failed"
    assert "treaties 999 are not in the Treaty Office's list" in report["error"]


def test_a_two_list_chart_with_unknown_fields_baselines_silently_then_alerts_once(tmp_path, server, office):
    office.treaties = [t for t in office.treaties if t["Numero_traite"] == "126"]
    office.charts["126"] = load("signatures_126_two_lists_before.json")
    path = config(tmp_path, server)  # "all": the office lists only 126 here
    code, [report], _ = check(path)
    assert (code, report["outcome"], report["added"], report["events"]) == (0, "baseline", 5, [])
    office.charts["126"] = load("signatures_126_two_lists_after.json")
    code, [report], _ = check(path)
    assert code == 0
    assert [(e["type"], e["subject"], e["date"]) for e in report["events"]] == \
        [("denunciation", "Russian Federation", "2025-10-22")]
    assert report["events"][0]["details"]["fields"]["CodeRegion"] == "EUR"
    code, [report], _ = check(path)
    assert (code, report["outcome"], report["events"]) == (0, "unchanged", [])
    assert [e["type"] for e in events(path)] == ["denunciation"]


def test_a_denunciation_on_the_chart_and_later_in_the_declarations_alerts_once(tmp_path, server, office):
    """The dates that named a denunciation are kept in the source's memo from one check to the
    next: the declarations list reporting it later, by its effective date only, is the same event."""
    declarations: dict[str, list] = {}
    server.routes["/api/conventions/getDeclarations"] = lambda seen: Reply(
        200, json.dumps(declarations.get(seen.query["numSte"][0], [])), {"Content-Type": "application/json"})
    path = config_with(tmp_path, server, "treaties = [126]\ndeclarations = true")
    assert check_here(path)["outcome"] == "baseline"
    office.charts["126"] = load("signatures_126_effective.json")
    [denunciation] = check_here(path)["events"]
    assert (denunciation["type"], denunciation["date"], denunciation["effective_date"]) == \
        ("denunciation", "2025-10-22", "2026-04-22")
    # Russia's denunciation (effective 2026-04-22 only) and a declaration by Ukraine.
    declarations["126"] = load("declarations_126.json")
    report = check_here(path)
    assert [(e["type"], e["subject"]) for e in report["events"]] == [("reservation", "Ukraine")]
    assert [e["id"] for e in events(path) if e["type"] == "denunciation"] == [denunciation["id"]]
