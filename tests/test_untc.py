"""The `untc` parsers: cells, headers, notes and withdrawals, XML and HTML, against the fixtures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.decoding import decode_body
from monitor.diff import Change
from monitor.errors import ConfigError, StructureChanged
from monitor.records import Record
from monitor.sources.untc import (CHAPTER_INDEX, INDEX_GAPS, UntcSource, build_records, index_refs,
                                  is_withdrawal, match_participant, parse_cell, parse_html, parse_xml,
                                  withdrawal_actor, withdrawal_dates)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "un"
PARIS = "XXVII-7-d"


def records(name: str, ref: str) -> dict[str, Record]:
    body = (FIXTURES / name).read_bytes()
    text = decode_body(body, None, "iso-8859-1")
    parsed = (parse_xml if name.endswith(".xml") else parse_html)(text, name)
    return {r.key: r for r in build_records(ref, parsed, name, "https://example/view", None)}


def source(**options) -> UntcSource:
    table = {"name": "un", "kind": "untc", **options}
    return UntcSource(parse_config({"sources": [table]}, Path("monitor.toml")).sources[0])


# --- cells ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, main, action, history", [
    ("29 May\t 2013", "2013-05-29", "ratification", []),
    ("24 Jan\t 1983 a", "1983-01-24", "accession", []),
    ("1 Sep 1993 d", "1993-09-01", "succession", []),
    ("21 Sep\t 2016 AA", "2016-09-21", "approval", []),
    ("3 Sep\t 2016 A\t [20 Jan\t 2021 A]", "2016-09-03", "acceptance", [("2021-01-20", "acceptance")]),
    ("4 Oct 2011 c", "2011-10-04", "formal_confirmation", []),
    ("6 Jan 1972 2, 3", "1972-01-06", "ratification", []),
    ("", None, None, []),
])
def test_date_cells_are_normalised_to_iso_with_their_action(text, main, action, history):
    cell = parse_cell(text, "here")
    assert (cell.main.date if cell.main else None) == main
    assert (cell.main.action if cell.main else None) == action
    assert [(a.date, a.action) for a in cell.history] == history


@pytest.mark.parametrize("text", ["signed", "29 Mayo 2013", "29 May 2013 X", "29 May 2013 D", "2013-05-29"])
def test_unreadable_date_cell_is_a_structure_change_naming_the_cell(text):
    with pytest.raises(StructureChanged, match="cannot read the date cell"):
        parse_cell(text, "IV-4 (https://example/x)")


# --- the real derived tables, through the constructed documents -------------------------------

def test_iccpr_rows_match_the_real_derived_table():
    parsed = records("iccpr_iv-4_2015.en.xml", "IV-4")
    with (FIXTURES / "iccpr_iv-4_status_derived_2015.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    assert len([k for k in parsed if ":participant:" in k]) == len(rows)
    for name, signature, consent in rows:
        record = parsed[f"IV-4:participant:{name}"]
        assert bool(record.fields["signature"]) == bool(signature), name
        assert bool(record.fields["consent"]) == bool(consent), name
        code = consent.split(" ")[-1] if consent else ""
        expected = {"a": "accession", "d": "succession"}.get(code, "ratification" if consent else None)
        assert record.fields["consent_action"] == expected, name
    assert parsed["IV-4:participant:Afghanistan"].fields["consent"] == "1983-01-24"
    # "Germany 2, 3": glued footnote numbers leave the name, and attach notes 2 and 3 to Germany.
    germany = [r for k, r in parsed.items() if ":note:" in k and r.fields["participant"] == "Germany"]
    assert len(germany) == 2 and all(r.fields["kind"] == "footnote" for r in germany)
    # A footnote is keyed by its text, not by the row that refers to it (rows may flap).
    assert all(r.key.startswith("IV-4:note:-:") for r in germany)
    assert parsed["IV-4:treaty"].fields["parties"] == str(sum(1 for r in rows if r[2]))


def test_paris_rows_keep_the_real_dates_and_codes():
    parsed = records("paris_4_2021-01-21.en.xml", PARIS)
    us = parsed[f"{PARIS}:participant:United States of America"].fields
    assert us == {"participant": "United States of America", "signature": "2016-04-22", "consent": "2016-09-03",
                  "consent_action": "acceptance", "history": "consent 2021-01-20 acceptance"}
    assert parsed[f"{PARIS}:participant:Côte d'Ivoire"].fields["consent"] == "2016-10-25"  # ISO-8859-1 decoded
    with (FIXTURES / "paris_agreement_status_derived_2023-02.csv").open(encoding="utf-8") as handle:
        kinds = {row["Name"]: row["Kind"].lower() for row in csv.DictReader(handle) if row["Ratification"] < "2019-11-05"}
    for name, kind in kinds.items():
        if kind and name != "United States of America":
            assert parsed[f"{PARIS}:participant:{name}"].fields["consent_action"] == kind


def test_status_as_at_date_is_in_no_record():
    before = records("paris_2_2019-11-05.en.xml", PARIS)
    after = records("paris_2b_2019-11-06.en.xml", PARIS)
    assert (FIXTURES / "paris_2_2019-11-05.en.xml").read_bytes() != (FIXTURES / "paris_2b_2019-11-06.en.xml").read_bytes()
    assert before == after
    assert not any("2019-11-05" in r.text() or "05-11-2019" in r.text() for r in before.values())


@pytest.mark.parametrize("xml, html, ref", [
    ("paris_2_2019-11-05.en.xml", "paris_2_2019-11-05.html", PARIS),
    ("paris_4_2021-01-21.en.xml", "paris_4_2021-01-21.html", PARIS),
    ("iccpr_iv-4_2015.en.xml", "iccpr_iv-4_2015.html", "IV-4"),
])
def test_html_fallback_gives_the_same_records_as_the_xml(xml, html, ref):
    from_xml, from_html = records(xml, ref), records(html, ref)
    assert len(from_xml) > 150
    assert from_html == from_xml


def test_xml_without_tgroup_is_read_too():
    assert "<TGroup" not in (FIXTURES / "iccpr_iv-4_2015.en.xml").read_text(encoding="iso-8859-1")
    assert len(records("iccpr_iv-4_2015.en.xml", "IV-4")) > 170


def test_unknown_header_column_is_a_structure_change():
    text = (FIXTURES / "paris_2_2019-11-05.en.xml").read_bytes().decode("iso-8859-1")
    text = text.replace("<Entry>Signature</Entry>", "<Entry>Provisional application</Entry>")
    with pytest.raises(StructureChanged, match="unknown participants-table column 'Provisional application'"):
        build_records(PARIS, parse_xml(text, "here"), "here", "u", None)


@pytest.mark.parametrize("body, message", [
    ("<html><body><p>Hello</p></body></html>", "expected a <Document><Treaty>"),
    ("<Document><Treaty><Participants/></Treaty>", "not well-formed XML"),
    ("<Document><Treaty><Title>x</Title></Treaty></Document>", "no Treaty/Participants/Table"),
])
def test_foreign_xml_shapes_fail_loudly(body, message):
    with pytest.raises(StructureChanged, match=message):
        parse_xml(body, "IV-4 (https://example/IV-4.en.xml)")


def test_html_page_without_the_participants_table_fails_loudly():
    with pytest.raises(StructureChanged, match="no participants table"):
        parse_html((FIXTURES / "maintenance.html").read_text(encoding="utf-8"), "here")


# --- withdrawals ------------------------------------------------------------------------------

US_NOTE = ("On 4 November 2019, the Government of the United States of America notified the Secretary-General "
           "of its decision to withdraw from the Agreement which took effect on 4 November 2020 in accordance "
           "with article 28 (1) and (2) of the Agreement.")


def test_withdrawal_sentence_gives_party_and_both_dates():
    assert is_withdrawal(US_NOTE)
    assert withdrawal_dates(US_NOTE) == ("2019-11-04", "2020-11-04")
    assert withdrawal_actor(US_NOTE, ["America", "United States of America", "Uruguay"]) == "United States of America"


@pytest.mark.parametrize("text, notified, effective", [
    # Constructed sentences in the depositary's usual wording.
    ("On 10 January 2000, the Government of Ruritania notified the Secretary-General of its denunciation of "
     "the Protocol. The denunciation took effect on 10 April 2000.", "2000-01-10", "2000-04-10"),
    ("On 2 March 2001, the Government of Ruritania notified the Secretary-General that it denounces the "
     "Convention with effect from 2 March 2002.", "2001-03-02", "2002-03-02"),
    ("Le 4 novembre 2019, le Gouvernement des États-Unis d'Amérique a notifié au Secrétaire général sa "
     "dénonciation de l'Accord, qui a pris effet le 4 novembre 2020.", "2019-11-04", "2020-11-04"),
])
def test_denounce_denunciation_and_french_wording(text, notified, effective):
    assert is_withdrawal(text)
    assert withdrawal_dates(text) == (notified, effective)


@pytest.mark.parametrize("text", [
    "On 5 May 2010, the Government of Ruritania notified the Secretary-General of its decision to withdraw "
    "the reservation made upon ratification.",
    "On 7 March 2017, the Secretary-General received a notification of the revocation of the notification "
    "of withdrawal from Ruritania.",
    "The Government of Ruritania objects to the reservation made by Utopia.",
])
def test_withdrawn_reservations_and_revocations_are_not_denunciations(text):
    assert not is_withdrawal(text)


def test_party_names_map_to_the_table_name_earliest_then_longest():
    names = ["Republic of Korea", "Democratic People's Republic of Korea", "Niger", "Nigeria"]
    text = ("On 25 August 1997, the Secretary-General received from the Government of the Democratic "
            "People's Republic of Korea a notification of withdrawal from the Covenant (constructed).")
    assert withdrawal_actor(text, names) == "Democratic People's Republic of Korea"
    assert match_participant("the Government of Nigeria", names) == "Nigeria"


# --- events -----------------------------------------------------------------------------------

def test_events_of_a_new_participant_row_and_of_a_corrected_date():
    src = source(treaties=["IV-4"])
    row = Record("IV-4:participant:Fiji", {"participant": "Fiji", "signature": None, "consent": "2018-08-16",
                                           "consent_action": "accession", "history": None}, "ICCPR", "u")
    events = src.events(Change("added", row.key, None, row), "now")
    assert [(e.type, e.subject, e.date, e.details["action"]) for e in events] == \
        [("ratification", "Fiji", "2018-08-16", "accession")]
    assert events[0].url == src.page_url("IV-4") and events[0].treaty.id == "IV-4"
    earlier = Record(row.key, {**row.fields, "consent": "2018-08-15"}, "ICCPR", "u")
    corrected = src.events(Change("changed", row.key, row, earlier, {"consent": ("2018-08-16", "2018-08-15")}), "now")
    assert [e.type for e in corrected] == ["record_changed"]


def test_removed_rows_and_notes_raise_no_treaty_event():
    src = source(treaties=["IV-4"])
    row = Record("IV-4:participant:Fiji", {"participant": "Fiji", "consent": "2018-08-16"}, "ICCPR", "u")
    note = Record("IV-4:note:Fiji:abc", {"participant": "Fiji", "text": US_NOTE, "kind": "footnote"}, "ICCPR", "u")
    assert [e.type for e in src.events(Change("removed", row.key, row, None), "now")] == ["record_removed"]
    assert src.events(Change("removed", note.key, note, None), "now") == []


# --- config -----------------------------------------------------------------------------------

def test_index_data_matches_the_real_chapter_index():
    index = json.loads((FIXTURES / "mtdsg_chapter_index_2026-05.json").read_text(encoding="utf-8"))
    assert sorted(CHAPTER_INDEX) == index["chapters"]
    assert index_refs(index["chapters"]) == [t["ref"] for t in index["treaties"]]
    assert "XIX-12" in INDEX_GAPS


def test_options_defaults_and_urls():
    src = source(treaties=["IV-4", "XXVII-7-d"], chapters=[18])
    assert src.config.interval == 12 * 3600 and src.config.host_concurrency == 1 and src.config.host_delay == 1.0
    refs = src.refs()
    assert refs[:2] == ["IV-4", "XXVII-7-d"] and "XVIII-10" in refs and len(refs) == 2 + 16
    assert src.xml_url("IV-4") == \
        "https://treaties.un.org/doc/Publication/MTDSG/Volume%20I/Chapter%20IV/IV-4.en.xml"
    assert src.xml_url("XXVII-7-d") == \
        "https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVII/XXVII-7-d.en.xml"
    assert src.page_url("XVIII-10") == ("https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&"
                                        "mtdsg_no=XVIII-10&chapter=18&clang=_en")
    assert len(source(treaties="all").refs()) == 244
    assert source().refs() == ["IV-2", "IV-3", "IV-4", "IV-8", "IV-9", "IV-11", "IV-13", "IV-15", "IV-16",
                               "XVIII-10", "XXVII-7-d"]


@pytest.mark.parametrize("options, message", [
    ({"treaties": []}, "treaties: name at least one treaty"),
    ({"treaties": ["IV 4"]}, "'IV 4' is not an MTDSG reference"),
    ({"treaties": ["XXXV-1"]}, "'XXXV-1' is not an MTDSG reference"),
    ({"chapters": [11]}, "chapter 11 is not in the shipped chapter index"),
    ({"chapters": [30]}, "must be at most 29"),
])
def test_bad_options_are_clear_config_errors(options, message):
    with pytest.raises(ConfigError) as caught:
        source(**options)
    assert message in str(caught.value)
