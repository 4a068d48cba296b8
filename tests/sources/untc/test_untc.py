"""The `untc` parsers: cells, headers, notes and withdrawals, XML and HTML, against the fixtures."""

from __future__ import annotations

import csv
import json

import pytest

from helpers.untc import UN_FIXTURES as FIXTURES
from helpers.untc import source, treaty_part
from monitor.diff import Change
from monitor.errors import ConfigError, StructureChanged
from monitor.net.decoding import decode_body
from monitor.records import Record
from monitor.sources.untc import (
    CHAPTER_INDEX,
    INDEX_GAPS,
    build_records,
    index_refs,
    is_withdrawal,
    match_participant,
    parse_cell,
    parse_html,
    parse_xml,
    split_markers,
    withdrawal_actor,
    withdrawal_dates,
)

PARIS = "XXVII-7-d"


def records(name: str, ref: str) -> dict[str, Record]:
    body = (FIXTURES / name).read_bytes()
    text = decode_body(body, None, "iso-8859-1")
    parsed = (parse_xml if name.endswith(".xml") else parse_html)(text, name)
    return {r.key: r for r in build_records(ref, parsed, name, "https://example/view", None)}


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
                  "consent_action": "acceptance", "history": "consent 2021-01-20 acceptance", "markers": "7"}
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
    # Besides the date, only the United Kingdom's marker grew ("5,6" -> "5,6,8").
    assert {k for k in before if before[k] != after[k]} == {f"{PARIS}:participant:{UK}"}
    assert not any("2019-11-05" in r.text() or "05-11-2019" in r.text() for r in before.values())


# --- footnote markers ---------------------------------------------------------------------------

UK = "United Kingdom of Great Britain and Northern Ireland"


@pytest.mark.parametrize("cell, name, markers", [
    # The verified form: markup as character data, one superscript holding several numbers.
    (f"{UK}<superscript>5,6</superscript>", UK, ["5", "6"]),
    ("United States of America<superscript>7</superscript>", "United States of America", ["7"]),
    # The same markup escaped once more, and HTML's <sup>.
    ("Ireland&lt;superscript&gt;5, 6&lt;/superscript&gt;", "Ireland", ["5", "6"]),
    ("Denmark<sup>1</sup>", "Denmark", ["1"]),
    # Plain number runs left after tags are stripped.
    ("North Macedonia 4 ,", "North Macedonia", ["4"]),
    (f"{UK} 6 , 18 , 19 ,", UK, ["6", "18", "19"]),
    ("Germany 2, 3", "Germany", ["2", "3"]),
    ("Côte d'Ivoire", "Côte d'Ivoire", []),
])
def test_footnote_markers_leave_the_name_in_every_form(cell, name, markers):
    assert split_markers(cell) == (name, markers)


def test_the_real_marker_form_keys_participants_by_their_clean_name():
    parsed = records("paris_2b_2019-11-06.en.xml", PARIS)
    assert "<superscript>" in (FIXTURES / "paris_2b_2019-11-06.en.xml").read_text(encoding="iso-8859-1") \
        .replace("&lt;", "<").replace("&gt;", ">")
    assert not any("superscript" in key or key.endswith(("7", ",")) for key in parsed)
    assert parsed[f"{PARIS}:participant:United States of America"].fields["markers"] == "7"
    assert parsed[f"{PARIS}:participant:{UK}"].fields["markers"] == "5,6,8"
    # The end note's escaped number makes it footnote 7, attached to the row that carries marker 7.
    [note] = [r for k, r in parsed.items() if ":note:United States of America:" in k]
    assert note.fields["kind"] == "footnote" and note.fields["text"].startswith("On 4 November 2019")


def test_the_child_element_variant_gives_the_same_records_as_the_real_form():
    escaped = records("paris_1_2019-10-30.en.xml", PARIS)
    variant = records("paris_1_2019-10-30_flat.en.xml", PARIS)
    assert "&lt;superscript" in (FIXTURES / "paris_1_2019-10-30.en.xml").read_text(encoding="iso-8859-1")
    assert "<superscript>" in (FIXTURES / "paris_1_2019-10-30_flat.en.xml").read_text(encoding="iso-8859-1")
    assert variant == escaped


# --- metadata, note sections, special tables -----------------------------------------------------

def test_metadata_is_found_by_element_name_in_either_layout():
    reported = records("paris_1_2019-10-30.en.xml", PARIS)[f"{PARIS}:treaty"]  # Header/ExternalData, Labeltext
    flat = records("paris_1_2019-10-30_flat.en.xml", PARIS)[f"{PARIS}:treaty"]  # Title, EIF/Text
    assert "<ExternalData>" in (FIXTURES / "paris_1_2019-10-30.en.xml").read_text(encoding="iso-8859-1")
    assert reported == flat
    assert reported.fields == {"title": "Paris Agreement", "signatories": reported.fields["signatories"],
                               "parties": reported.fields["parties"],
                               "entry_into_force": "4 November 2016, in accordance with article 21(1).",
                               "registration": "No. 54113", "concluded": "Paris, 12 December 2015"}
    assert int(reported.fields["signatories"]) > 190 and int(reported.fields["parties"]) > 70


def test_every_note_section_is_read():
    parsed = records("iccpr_iv-4_2018-fiji.en.xml", "IV-4")
    kinds = {(r.fields["participant"], r.fields["kind"]) for k, r in parsed.items() if ":note:" in k}
    assert ("Denmark", "declaration") in kinds  # DeclarationsUnderArticle
    assert ("Netherlands", "territorial_application") in kinds  # TerritorialApplications
    assert ("Germany", "footnote") in kinds  # EndNotes


def test_special_tables_give_the_same_records_as_the_participants_twin():
    special = records("iccpr_op1_iv-5_2015_special.en.xml", "IV-5")
    assert "<SpecialTables>" in (FIXTURES / "iccpr_op1_iv-5_2015_special.en.xml").read_text(encoding="iso-8859-1")
    assert len(special) > 120
    assert special == records("iccpr_op1_iv-5_2015.en.xml", "IV-5")


def test_a_header_given_as_the_first_row_is_read():
    text = (FIXTURES / "paris_1_2019-10-30.en.xml").read_bytes().decode("iso-8859-1")
    text = text.replace("<Thead>", "").replace("</Thead>\n<Tbody><Rows>", "<Tbody><Rows>")
    head, rows = text.index("<Tbody><Rows>"), text.index("<Row>")
    assert rows < head
    text = text[:rows] + "<Tbody><Rows>" + text[rows:head] + text[head + len("<Tbody><Rows>"):]
    assert {r.key: r for r in build_records(PARIS, parse_xml(text, "h"), "h", "https://example/view", None)} == \
        records("paris_1_2019-10-30.en.xml", PARIS)


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
    ("<Document><Treaty><Title>x</Title></Treaty></Document>", "neither a Participants table nor SpecialTables"),
    ("<Document><Treaty><SpecialTables><TableHeader><Title>Territory</Title></TableHeader></SpecialTables>"
     "</Treaty></Document>", "no TableHeader whose first Title is"),
])
def test_foreign_xml_shapes_fail_loudly(body, message):
    with pytest.raises(StructureChanged, match=message):
        parse_xml(body, "IV-4 (https://example/IV-4.en.xml)")


def test_view_details_header_ids_territorial_table_and_notes_table():
    parsed = records("rome_xviii-10_2019.html", "XVIII-10")
    page = (FIXTURES / "rome_xviii-10_2019.html").read_text(encoding="utf-8")
    # A territorial table that also starts with "Participant" comes before the grid.
    assert page.index("Territorial application") < page.index("tblgrid")
    assert sorted(k.split(":")[-1] for k in parsed if ":participant:" in k) == \
        ["Burundi", "Germany", "Hungary", "Netherlands", "Philippines"]
    assert parsed["XVIII-10:treaty"].fields == {
        "title": "Rome Statute of the International Criminal Court", "signatories": "5", "parties": "5",
        "entry_into_force": "1 July 2002, in accordance with article 126.", "registration": "No. 38544",
        "concluded": "Rome, 17 July 1998"}
    # The withdrawals are rows of the notes table in …dgNotesAll_ctl03_divNotesAll.
    withdrawals = {r.fields["participant"]: withdrawal_dates(r.fields["text"])
                   for k, r in parsed.items() if ":note:" in k and is_withdrawal(r.fields["text"])}
    assert withdrawals == {"Burundi": ("2016-10-27", "2017-10-27"), "Philippines": ("2018-03-17", "2019-03-17")}


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
    # «se retirer», «retrait du Statut» and "effective as of".
    ("Le 27 octobre 2016, le Gouvernement du Burundi a notifié au Secrétaire général sa décision de se retirer "
     "du Statut. Le retrait a pris effet le 27 octobre 2017.", "2016-10-27", "2017-10-27"),
    ("Le 16 mars 2018, le Gouvernement des Philippines a notifié le retrait du Statut de Rome, qui prend effet "
     "le 17 mars 2019.", "2018-03-16", "2019-03-17"),
    ("On 1 June 2020, the Government of Ruritania notified the Secretary-General of its withdrawal from the "
     "Convention, effective as of 1 June 2021.", "2020-06-01", "2021-06-01"),
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
    part = treaty_part(src, "IV-4")
    row = Record("IV-4:participant:Fiji", {"participant": "Fiji", "signature": None, "consent": "2018-08-16",
                                           "consent_action": "accession", "history": None}, "ICCPR", "u")
    events = src.events(Change("added", row.key, None, row), part, "now")
    assert [(e.type, e.subject, e.date, e.details["action"]) for e in events] == \
        [("ratification", "Fiji", "2018-08-16", "accession")]
    assert events[0].url == src.page_url("IV-4") and events[0].treaty.id == "IV-4"
    earlier = Record(row.key, {**row.fields, "consent": "2018-08-15"}, "ICCPR", "u")
    corrected = src.events(Change("changed", row.key, row, earlier, {"consent": ("2018-08-16", "2018-08-15")}),
                           part, "now")
    assert [e.type for e in corrected] == ["record_changed"]


def test_removed_rows_and_notes_raise_no_treaty_event():
    src = source(treaties=["IV-4"])
    part = treaty_part(src, "IV-4")
    row = Record("IV-4:participant:Fiji", {"participant": "Fiji", "consent": "2018-08-16"}, "ICCPR", "u")
    note = Record("IV-4:note:Fiji:abc", {"participant": "Fiji", "text": US_NOTE, "kind": "footnote"}, "ICCPR", "u")
    assert [e.type for e in src.events(Change("removed", row.key, row, None), part, "now")] == ["record_removed"]
    assert src.events(Change("removed", note.key, note, None), part, "now") == []


def test_records_keyed_with_markers_by_earlier_versions_change_keys_without_alerts():
    """Earlier versions kept escaped markers in the key ("…America<superscript>7</superscript>"): on
    the first check since, the clean key appears and the old one goes, and neither is news."""
    src = source(treaties=[PARIS])
    key = f"{PARIS}:participant:United States of America"
    fields = {"participant": "United States of America", "signature": "2016-04-22", "consent": "2016-09-03",
              "consent_action": "acceptance", "history": None, "markers": "7"}
    clean = Record(key, fields, "Paris Agreement", "u")
    marked = Record(key + "<superscript>7</superscript>",
                    {**fields, "participant": "United States of America<superscript>7</superscript>", "markers": None},
                    "Paris Agreement", "u")
    note = Record(f"{PARIS}:note:United States of America:abc",
                  {"participant": "United States of America", "text": US_NOTE, "kind": "footnote"}, "Paris", "u")
    upgrading, later = treaty_part(src, PARIS, upgrading=True), treaty_part(src, PARIS)
    assert src.events(Change("added", key, None, clean), upgrading, "now") == []
    # An end note whose escaped number now leaves its text.
    numbered = Record(note.key, {**note.fields, "text": "<superscript>7</superscript> " + US_NOTE, "kind": "endnote"},
                      "Paris", "u")
    assert src.events(Change("changed", note.key, numbered, note, {"text": (numbered.fields["text"], US_NOTE)}),
                      upgrading, "now") == []
    assert src.events(Change("removed", marked.key, marked, None), upgrading, "now") == []
    # A withdrawal is still reported (its event id never depended on markers, so a known one is not repeated).
    assert [e.type for e in src.events(Change("added", note.key, None, note), upgrading, "now")] == ["denunciation"]
    # On the treaty's later checks the same changes are news.
    assert [e.type for e in src.events(Change("added", key, None, clean), later, "now")] == \
        ["signature", "ratification"]
    assert [e.type for e in src.events(Change("changed", note.key, numbered, note,
                                              {"text": (numbered.fields["text"], US_NOTE)}), later, "now")] \
        == ["record_changed"]
    assert src.events(Change("removed", marked.key, marked, None), later, "now") == []


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


def test_markers_in_a_title_or_entry_into_force_text_leave_its_own_numbers():
    text = (FIXTURES / "paris_1_2019-10-30.en.xml").read_bytes().decode("iso-8859-1")
    text = text.replace("<Titlesect>Paris Agreement</Titlesect>",
                        "<Titlesect>Paris Agreement of 2015&lt;superscript&gt;1&lt;/superscript&gt;</Titlesect>")
    text = text.replace("article 21(1).</Labeltext>", "article 21(1).&lt;superscript&gt;2&lt;/superscript&gt;</Labeltext>")
    treaty = {r.key: r for r in build_records(PARIS, parse_xml(text, "h"), "h", "u", None)}[f"{PARIS}:treaty"]
    assert treaty.fields["title"] == "Paris Agreement of 2015"
    assert treaty.fields["entry_into_force"] == "4 November 2016, in accordance with article 21(1)."
