"""The `untc` kind through the real check pipeline: the Paris withdrawal sequence, flapping rows,
maintenance pages and the HTML fallback, against a local server."""

from __future__ import annotations

import json
import sqlite3

from helpers.cli import run_cli
from helpers.config import monitor_config, source_table
from helpers.http import Reply
from helpers.untc import (  # test_event_ids.py imports Paris and fixture from here
    HTML_TYPE,
    PATHS,
    XML_TYPE,
    Paris,
    config_for,
    fixture,
)
from monitor.events import TREATY_TYPES

US = "United States of America"
UK = "United Kingdom of Great Britain and Northern Ireland"
US_NOTE_2020 = ("On 4 November 2019, the Government of the United States of America notified the Secretary-General "
                "of its decision to withdraw from the Agreement which took effect on 4 November 2020 in accordance "
                "with article 28 (1) and (2) of the Agreement.")


def treaty_events(report):
    return [e for e in report.events if e.type in TREATY_TYPES]


def test_paris_sequence_reports_the_us_withdrawal_once_then_the_2021_acceptance(server, tmp_path):
    """The sequence in the real marker form: markup inside the text ("…America<superscript>7</superscript>")."""
    paris = Paris(server, tmp_path)
    assert b"America&lt;superscript&gt;7&lt;/superscript&gt;" in fixture("paris_2_2019-11-05.en.xml")
    assert paris.check(fixture("paris_1_2019-10-30.en.xml")).outcome == "baseline"

    # November 2019: the UN adds marker 7 to the US row together with the withdrawal note. The
    # table alone would show nothing; the marker is no new participant.
    report = paris.check(fixture("paris_2_2019-11-05.en.xml"))
    assert [(e.type, e.subject, e.date, e.effective_date) for e in report.events] == \
        [("denunciation", US, "2019-11-04", "2020-11-04")]
    event = report.events[0]
    assert event.treaty.id == "XXVII-7-d" and event.treaty.title == "Paris Agreement"
    assert event.url.endswith("ViewDetails.aspx?src=TREATY&mtdsg_no=XXVII-7-d&chapter=27&clang=_en")
    assert report.added == 1 and report.removed == 0  # the note; no participant
    assert not [r for r in paris.state.records("un") if "superscript" in r.record.key]
    assert paris.stored(f"XXVII-7-d:participant:{US}").record.fields["markers"] == "7"

    # The "status as at" date changes and the UK's marker grows from "5,6" to "5,6,8": nothing to report.
    report = paris.check(fixture("paris_2b_2019-11-06.en.xml"))
    assert report.events == [] and report.added == 0 and report.removed == 0
    assert paris.stored(f"XXVII-7-d:participant:{UK}").record.fields["markers"] == "5,6,8"

    # The US row is missing from one fetch: not a withdrawal, not a removal.
    without_us = b"\n".join(line for line in fixture("paris_2b_2019-11-06.en.xml").split(b"\n")
                            if b"<Entry>United States of America" not in line)
    report = paris.check(without_us)
    assert report.events == [] and report.removed == 0
    assert paris.stored(f"XXVII-7-d:participant:{US}").missing == 1
    report = paris.check(fixture("paris_2b_2019-11-06.en.xml"))
    assert report.events == [] and paris.stored(f"XXVII-7-d:participant:{US}").missing == 0

    # November 2020: the note now says "took effect" and the parties count drops: no new alert.
    report = paris.check(fixture("paris_3_2020-11-05.en.xml"))
    assert report.outcome == "changed" and treaty_events(report) == []

    # January 2021: the bracketed re-acceptance.
    report = paris.check(fixture("paris_4_2021-01-21.en.xml"))
    assert [(e.type, e.subject, e.date, e.details["action"]) for e in report.events] == \
        [("ratification", US, "2021-01-20", "acceptance")]
    assert paris.check(fixture("paris_4_2021-01-21.en.xml")).events == []

    # The consent cell becomes only "[20 Jan 2021 A]": the same acceptance, no removal, no storm.
    report = paris.check(fixture("paris_5_2021-02-19.en.xml"))
    assert report.events == [] and report.removed == 0
    assert paris.stored(f"XXVII-7-d:participant:{US}").record.fields["consent"] == "2021-01-20"

    everything = paris.state.events(sources=["un"])
    assert sorted(e.type for e in everything if e.type in TREATY_TYPES) == ["denunciation", "ratification"]
    assert {e.subject for e in everything} == {US}
    # Besides those, only the rewording of the withdrawal note is on record (not alerted).
    assert [e.details["changed"]["text"]["new"][-80:] for e in everything if e.type not in TREATY_TYPES] == \
        [US_NOTE_2020[-80:]]
    assert paris.stored(f"XXVII-7-d:participant:{US}") is not None
    paris.state.close()


def test_a_re_acceptance_seen_only_in_its_bracketed_form_is_one_ratification(server, tmp_path):
    paris = Paris(server, tmp_path)
    paris.check(fixture("paris_3_2020-11-05.en.xml"))
    report = paris.check(fixture("paris_5_2021-02-19.en.xml"))
    assert [(e.type, e.subject, e.date, e.details["action"]) for e in report.events] == \
        [("ratification", US, "2021-01-20", "acceptance")]
    # Then the cell shows both dates again: nothing new.
    assert paris.check(fixture("paris_4_2021-01-21.en.xml")).events == []
    paris.state.close()


def test_end_to_end_three_treaties_with_maintenance_and_html_fallback(server, tmp_path):
    bodies = {"IV-4": fixture("iccpr_iv-4_2015.en.xml"), "IV-5": fixture("iccpr_op1_iv-5_2015.en.xml"),
              "page": fixture("paris_2_2019-11-05.html")}
    server.routes[PATHS["IV-4"]] = lambda seen: Reply(200, bodies["IV-4"], XML_TYPE)
    server.routes[PATHS["IV-5"]] = lambda seen: Reply(200, bodies["IV-5"], {"Content-Type": "text/xml"})
    server.routes["/Pages/ViewDetails.aspx"] = lambda seen: (
        Reply(200, bodies["page"], HTML_TYPE) if seen.query.get("mtdsg_no") == ["XXVII-7-d"] else None)
    config = config_for(tmp_path, server.base, ["IV-4", "IV-5", "XXVII-7-d"])

    first = run_cli("--config", str(config), "check", "--json")
    assert first.returncode == 0, first.stderr
    [report] = json.loads(first.stdout)
    assert report["outcome"] == "baseline"
    # The Paris XML is missing (404), so its ViewDetails page was read instead.
    assert server.hits(PATHS["XXVII-7-d"]) and server.hits("/Pages/ViewDetails.aspx")
    db = tmp_path / "state.db"

    def count() -> dict[str, int]:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("select part, count(*) from records where source = 'un' and removed_at is null "
                                "group by part").fetchall()
        return dict(rows)

    baseline = count()
    assert baseline["XXVII-7-d"] == 200 and baseline["IV-4"] > 170 and baseline["IV-5"] > 120

    # A maintenance page served with status 200 fails that treaty's check (the others go on,
    # the check as a whole is reported failed) and leaves its records alone.
    bodies["IV-5"] = fixture("maintenance.html")
    failed = run_cli("--config", str(config), "check", "--json")
    assert failed.returncode == 1
    [report] = json.loads(failed.stdout)
    assert report["outcome"] == "partial" and "IV-5" in report["error"] and "maintenance" in report["error"]
    assert report["events"] == []
    assert count() == baseline
    # Served for every treaty, it fails the whole check.
    bodies.update({"IV-4": bodies["IV-5"], "page": bodies["IV-5"]})
    failed = run_cli("--config", str(config), "check", "--json")
    [report] = json.loads(failed.stdout)
    assert failed.returncode == 1 and report["outcome"] == "failed" and report["events"] == []
    assert count() == baseline

    # Back to normal, with a new accession to the Covenant and the US re-acceptance on the page.
    bodies["IV-5"] = fixture("iccpr_op1_iv-5_2015.en.xml")
    bodies["IV-4"] = fixture("iccpr_iv-4_2018-fiji.en.xml")
    bodies["page"] = fixture("paris_4_2021-01-21.html")
    third = run_cli("--config", str(config), "check", "--json")
    assert third.returncode == 0, third.stderr
    [report] = json.loads(third.stdout)
    got = sorted((e["type"], e["subject"], e["date"], e["details"]["action"], e["treaty"]["id"])
                 for e in report["events"] if e["type"] in TREATY_TYPES)
    assert got == [("ratification", "Fiji", "2018-08-16", "accession", "IV-4"),
                   ("ratification", US, "2021-01-20", "acceptance", "XXVII-7-d")]
    listed = run_cli("--config", str(config), "events", "--json")
    alerts = [e for e in json.loads(listed.stdout) if e["type"] in TREATY_TYPES]
    assert sorted(e["subject"] for e in alerts) == ["Fiji", US]


def test_a_treaty_added_to_the_config_later_starts_silently(server, tmp_path):
    bodies = {"IV-4": fixture("iccpr_iv-4_2015.en.xml"), "IV-5": fixture("iccpr_op1_iv-5_2015.en.xml")}
    for ref in bodies:
        server.routes[PATHS[ref]] = lambda seen, ref=ref: Reply(200, bodies[ref], XML_TYPE)
    config = config_for(tmp_path, server.base, ["IV-5"])
    assert json.loads(run_cli("--config", str(config), "check", "--json").stdout)[0]["outcome"] == "baseline"
    # The Covenant is added: its 170-odd parties are history, not 170 alerts.
    config = config_for(tmp_path, server.base, ["IV-5", "IV-4"])
    [report] = json.loads(run_cli("--config", str(config), "check", "--json").stdout)
    assert report["added"] > 170 and report["events"] == []
    # From then on it alerts like any other treaty.
    bodies["IV-4"] = fixture("iccpr_iv-4_2018-fiji.en.xml")
    [report] = json.loads(run_cli("--config", str(config), "check", "--json").stdout)
    assert [(e["type"], e["subject"]) for e in report["events"] if e["type"] in TREATY_TYPES] == \
        [("ratification", "Fiji")]


def test_rome_statute_withdrawals_from_the_notes_table_of_the_page(server, tmp_path):
    """No XML file: the ViewDetails page is read, and a new row of its withdrawals table is one
    denunciation; the withdrawals already listed are history."""
    body = {"page": fixture("rome_xviii-10_2019.html")}
    server.routes["/Pages/ViewDetails.aspx"] = lambda seen: (
        Reply(200, body["page"], HTML_TYPE) if seen.query.get("mtdsg_no") == ["XVIII-10"] else None)
    config = config_for(tmp_path, server.base, ["XVIII-10"])
    [report] = json.loads(run_cli("--config", str(config), "check", "--json").stdout)
    assert report["outcome"] == "baseline" and server.hits(PATHS["XVIII-10"])
    body["page"] = fixture("rome_xviii-10_2025.html")
    done = run_cli("--config", str(config), "check", "--json")
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)
    assert [(e["type"], e["subject"], e["date"], e["effective_date"]) for e in report["events"]] == \
        [("denunciation", "Hungary", "2025-06-02", "2026-06-02")]
    [report] = json.loads(run_cli("--config", str(config), "check", "--json").stdout)
    assert report["events"] == []


def test_lettered_instruments_are_found_up_to_the_first_404_and_probed_again_after_a_week(server, tmp_path):
    chapter = "/doc/Publication/MTDSG/Volume%20I/Chapter%20II/"
    bodies = {"II-1": fixture("iccpr_op1_iv-5_2015.en.xml"), "II-1-a": fixture("paris_1_2019-10-30.en.xml"),
              "II-1-b": fixture("paris_2_2019-11-05.en.xml")}
    served = {"II-1", "II-1-a"}
    for ref in bodies:
        server.routes[f"{chapter}{ref}.en.xml"] = lambda seen, ref=ref: (
            Reply(200, bodies[ref], XML_TYPE) if ref in served else None)
    config = monitor_config(tmp_path, source_table("un", "untc", base_url=server.base, treaties=["II-1-a", "II-1"],
                                                   chapters=[2], retries=0, host_delay="0.3s"))

    def check() -> dict:
        done = run_cli("--config", str(config), "check", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)[0]

    def asked() -> list[str]:
        refs = [r.path.rsplit("/", 1)[-1].removesuffix(".en.xml") for r in server.requests]
        server.requests.clear()
        return refs

    first = check()
    arrivals = [r.at for r in server.requests]
    # II-1-a, named in `treaties`, is fetched once; II-1-b answers 404: the probe stops there.
    assert asked() == ["II-1-a", "II-1", "II-1-b"]
    # Probes count like any other request, and keep the host's spacing: three requests 0.3 s
    # apart span 0.6 s when sent. Arrivals are stamped by the server, and on a loaded machine
    # the first can be stamped late, so the bound is one spacing: three unspaced requests take
    # a few milliseconds.
    assert first["requests"] == 3
    assert arrivals[-1] - arrivals[0] >= 0.3
    with sqlite3.connect(tmp_path / "state.db") as conn:
        parts = {row[0] for row in conn.execute("select distinct part from records where source = 'un'")}
    assert parts == {"II-1", "II-1-a"}

    # Within the week only what was found is asked for; a new lettered instrument is not seen yet.
    served.add("II-1-b")
    assert check()["events"] == [] and asked() == ["II-1-a", "II-1"]

    # A week later the probe runs again and finds II-1-b; a newly found instrument starts silently.
    with sqlite3.connect(tmp_path / "state.db") as conn:
        memo = json.loads(conn.execute("select memo from sources where name = 'un'").fetchone()[0])
        assert memo["lettered"]["II-1"]["found"] == ["II-1-a"]
        memo["lettered"]["II-1"]["checked_at"] = "2000-01-01T00:00:00.000+00:00"
        conn.execute("update sources set memo = ? where name = 'un'", [json.dumps(memo)])
    report = check()
    assert asked() == ["II-1-a", "II-1", "II-1-b", "II-1-c"] and report["events"] == []
    assert report["added"] > 190
    # From then on it alerts like any other treaty.
    bodies["II-1-b"] = fixture("paris_4_2021-01-21.en.xml")
    report = check()
    assert asked() == ["II-1-a", "II-1", "II-1-b"]
    assert [(e["type"], e["subject"], e["treaty"]["id"]) for e in report["events"] if e["type"] in TREATY_TYPES] == \
        [("ratification", US, "II-1-b")]


def test_either_table_layout_and_either_metadata_layout_read_as_the_same_treaty(server, tmp_path):
    """Swapping a file for its SpecialTables twin, or the flat metadata and child-element markers
    for the reported layout and escaped markers, changes no record and raises nothing."""
    bodies = {"IV-5": fixture("iccpr_op1_iv-5_2015.en.xml"), "XXVII-7-d": fixture("paris_1_2019-10-30_flat.en.xml")}
    for ref in bodies:
        server.routes[PATHS[ref]] = lambda seen, ref=ref: Reply(200, bodies[ref], XML_TYPE)
    config = config_for(tmp_path, server.base, ["IV-5", "XXVII-7-d"])
    [report] = json.loads(run_cli("--config", str(config), "check", "--json").stdout)
    assert report["outcome"] == "baseline" and report["added"] > 320
    bodies.update({"IV-5": fixture("iccpr_op1_iv-5_2015_special.en.xml"),
                   "XXVII-7-d": fixture("paris_1_2019-10-30.en.xml")})
    done = run_cli("--config", str(config), "check", "--json")
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)
    assert (report["outcome"], report["added"], report["changed"], report["removed"], report["events"]) == \
        ("unchanged", 0, 0, 0, [])
    assert len(server.hits(PATHS["IV-5"])) == 2  # the new bytes were read and parsed


def test_upgrading_from_keys_that_held_markers_re_alerts_nothing(server, tmp_path, monkeypatch):
    """A database written when escaped markers stayed in names ("…America<superscript>7</superscript>")."""
    import monitor.sources.untc.records as untc_records
    from monitor.records import clean_text

    paris = Paris(server, tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(untc_records, "split_markers", lambda text: (clean_text(text) or "", []))
        paris.check(fixture("paris_1_2019-10-30.en.xml"))
        report = paris.check(fixture("paris_2_2019-11-05.en.xml"))
    # The old behaviour: the marked US row reads as a new participant beside the denunciation.
    assert sorted(e.type for e in report.events) == ["denunciation", "ratification", "signature"]
    marked = f"XXVII-7-d:participant:{US}<superscript>7</superscript>"
    assert paris.stored(marked) is not None
    paris.state.conn.execute("update sources set memo = json_remove(memo, '$.marker_free_keys') where name = 'un'")
    paris.state.conn.commit()

    report = paris.check(fixture("paris_2b_2019-11-06.en.xml"))
    # The UK appears under its clean name (the US row had it already, from before its marker).
    assert report.events == [] and report.added == 1
    assert paris.stored(f"XXVII-7-d:participant:{UK}") is not None
    removed = 0
    for _ in range(2):  # the marked keys go, after two checks without them, silently
        report = paris.check(fixture("paris_2b_2019-11-06.en.xml"))
        assert report.events == []
        removed += report.removed
    assert removed == 2
    assert not [r for r in paris.state.records("un") if "superscript" in r.record.key]
    # From then on the treaty alerts as usual.
    report = paris.check(fixture("paris_4_2021-01-21.en.xml"))
    assert [(e.type, e.subject, e.date) for e in treaty_events(report)] == [("ratification", US, "2021-01-20")]
    paris.state.close()
