"""The ViewDetails page reader (the fallback when a treaty has no MTDSG XML), page in, records out.
Pages follow the structure in tests/fixtures/un/README.md."""

from __future__ import annotations

import pytest

from helpers.untc import note_fields, reader
from monitor.errors import StructureChanged
from monitor.sources.untc import parse_html

REF = "XVIII-10"
ID = "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_"
FACTS = (f'<table><tr><td id="{ID}rptTreaty_ctl00_tcTreaty">Rome Statute of the International Criminal Court</td></tr>'
         f'<tr><td id="{ID}rptTreaty_ctl00_tcText">Rome, 17 July 1998</td></tr>'
         f'<tr><td>Entry into force:</td><td id="{ID}rptEIF_ctl00_tcText">1 July 2002, in accordance with article '
         f'126.</td></tr><tr><td>Registration:</td><td id="{ID}rptRegistration_ctl00_tcText">No. 38544</td></tr>'
         f'<tr><td>Status:</td><td id="{ID}rptStatus_ctl00_tcText">Signatories : 137. Parties : 125.</td></tr>'
         "</table>")
GRID = (f'<table id="{ID}tblgrid"><tr><th>Participant</th><th>Signature</th>'
        "<th>Ratification, Acceptance(A), Accession(a)</th></tr>"
        "<tr><th>Burundi<sup>2</sup></th><td>13 Jan\t 1999</td><td>21 Sep\t 2004</td></tr>"
        "<tr><td><a class='noteIndex'>Hungary</a></td><td>15 Jan\t 1999</td><td>30 Nov<br/>2001</td></tr></table>")


def page(body: str = "", grid: str = GRID, facts: str = FACTS) -> str:
    return f"<!DOCTYPE html><html><body>{facts}{grid}{body}</body></html>"


read = reader(parse_html, REF)


def notes(text: str) -> list[tuple[str | None, str, str]]:
    return note_fields(read(text))


def test_the_grid_gives_each_row_its_dates_and_markers():
    records = read(page())
    assert records[f"{REF}:participant:Burundi"].fields == {
        "participant": "Burundi", "signature": "1999-01-13", "consent": "2004-09-21", "consent_action": "ratification",
        "history": None, "markers": "2"}
    assert records[f"{REF}:participant:Hungary"].fields["consent"] == "2001-11-30"
    assert records[f"{REF}:treaty"].fields == {
        "title": "Rome Statute of the International Criminal Court", "signatories": "137", "parties": "125",
        "entry_into_force": "1 July 2002, in accordance with article 126.", "registration": "No. 38544",
        "concluded": "Rome, 17 July 1998"}


def test_facts_are_found_by_their_labels_when_the_ids_are_missing():
    facts = ("<h1 id='TreatyTitle'>Rome Statute</h1><table><tr><td>Entry into force :</td><td>1 July 2002</td></tr>"
             "<tr><td>Status:</td><td>Signatories: 137 Parties: 125</td></tr></table>")
    fields = read(page(facts=facts))[f"{REF}:treaty"].fields
    assert (fields["title"], fields["entry_into_force"], fields["signatories"], fields["parties"]) == (
        "Rome Statute", "1 July 2002", "137", "125")


def test_a_page_without_facts_reads_counts_from_its_text_and_no_title():
    parsed = parse_html(page(body="<p>Parties: 3</p>", facts=""), "w")
    assert (parsed.title, parsed.eif, parsed.signatories, parsed.parties) == (None, None, None, "3")


def test_the_grid_is_the_last_participants_table_not_a_territorial_one_before_it():
    territorial = ("<table><tr><td>Participant</td><td>Territorial application</td></tr>"
                   "<tr><td>Netherlands</td><td>Aruba</td></tr></table>")
    grid = (f'<div id="{ID}tblgrid"><table></table>{territorial}'
            f'{GRID.replace(f" id={chr(34)}{ID}tblgrid{chr(34)}", "")}</div>')
    records = read(page(grid=grid))
    assert sorted(k for k in records if ":participant:" in k) == [f"{REF}:participant:Burundi",
                                                                  f"{REF}:participant:Hungary"]


def test_a_grid_of_signatures_only_is_read():
    grid = (f'<table id="{ID}tblgrid"><tr><td>Participant</td><td>Signature</td></tr>'
            "<tr><td>Burundi</td><td>13 Jan 1999</td></tr></table>")
    assert read(page(grid=grid))[f"{REF}:participant:Burundi"].fields["signature"] == "1999-01-13"


def test_a_nested_table_in_a_cell_is_not_a_row_of_the_grid():
    grid = GRID.replace("<td>15 Jan\t 1999</td>", "<td>15 Jan\t 1999<table><tr><td>3</td></tr></table></td>")
    assert sorted(k for k in read(page(grid=grid)) if ":participant:" in k) == [
        f"{REF}:participant:Burundi", f"{REF}:participant:Hungary"]


@pytest.mark.parametrize("grid, message", [
    ("<table><tr><td>Participant</td><td>Signature</td></tr></table>", r"XVIII-10 \(x\): no participants table"),
    (f'<table id="{ID}tblgrid"><tr><td>Participant</td><td>Territory</td></tr></table>',
     r"XVIII-10 \(x\): the participants table \(…tblgrid\) has no Participant \| Signature"),
    (f'<table id="{ID}tblgrid"><tr><td>State</td><td>Signature</td></tr></table>', "has no Participant"),
    (f'<div id="{ID}tblgrid"></div>', "has no Participant"),
])
def test_a_page_without_the_participants_grid_fails_loudly(grid, message):
    with pytest.raises(StructureChanged, match=message):
        parse_html(page(grid=grid), "XVIII-10 (x)")


def test_notes_follow_their_headings_and_a_name_paragraph_files_the_ones_below_it():
    body = ("<h3>Declarations and Reservations:</h3><p>Burundi<sup>2</sup></p><p>Reservation:</p>"
            "<p>Burundi reserves article 1.</p><p>Hungary</p><p>Hungary declares.</p><div>end</div>"
            "<p>Not a note: after the section.</p>"
            "<h3>Objections</h3><p>An objection filed under no one.</p>"
            "<h4>End Notes</h4><p><sup>2</sup> Burundi: a note on its ratification.</p><p>Hungary</p>"
            "<h3>Something else</h3><p>Not a note.</p>")
    assert sorted(notes(page(body)), key=lambda n: (n[1], n[2])) == [
        ("Hungary", "declaration", "Hungary declares."),
        ("Burundi", "declaration", "Reservation: Burundi reserves article 1."),
        (None, "endnote", "Hungary"),  # in end notes a name paragraph is a note like any other
        ("Burundi", "footnote", "Burundi: a note on its ratification."),
        (None, "objection", "An objection filed under no one."),
    ]


@pytest.mark.parametrize("heading, kind", [
    ("Declarations", "declaration"), ("Reservations", "declaration"), ("Reservations and declarations", "declaration"),
    ("Notifications", "notification"), ("Endnotes", "endnote"), ("Notes:", "endnote"),
    ("Territorial Application", "territorial_application"), ("Territorial applications", "territorial_application"),
])
def test_each_section_heading_gives_its_kind(heading, kind):
    [(_, got, text)] = notes(page(f"<h3>{heading}</h3><p>On 1 May 2001 something was notified.</p>"))
    assert (got, text) == (kind, "On 1 May 2001 something was notified.")


def test_the_notes_table_gives_one_withdrawal_per_row_with_its_dates():
    table = (f'<div id="{ID}dgNotesAll_ctl03_divNotesAll"><table>'
             "<tr><th>Participant</th><th>Date of notification</th><th>Date of effect</th></tr>"
             "<tr><td>Burundi<sup>2</sup></td><td>27 Oct\n 2016</td><td>27 Oct 2017</td></tr>"
             "<tr><td>Hungary</td><td></td><td>02/06/2026</td></tr>"
             "<tr><td>Germany</td><td>15/01/2026</td><td>15/12/2026</td></tr>"
             "<tr><td>Hungary</td><td>n/a</td></tr><tr><td></td><td>1 Jan 2020</td></tr>"
             "<tr><td>Hungary</td><td>13/13/2026</td></tr><tr><td>Hungary</td></tr></table></div>")
    withdrawals = [n for n in notes(page(table)) if n[1] == "withdrawal"]
    assert sorted(withdrawals, key=lambda n: n[2]) == [
        ("Burundi", "withdrawal", "Burundi: withdrawal from the treaty notified on 27 Oct 2016, with effect from "
                                  "27 Oct 2017."),
        (None, "withdrawal", "Germany: withdrawal from the treaty notified on 15 January 2026, with effect "
                               "from 15 December 2026."),  # not in the grid: no participant
        ("Hungary", "withdrawal", "Hungary: withdrawal from the treaty notified on 2 June 2026, with effect from "
                                  "2 June 2026."),
    ]


@pytest.mark.parametrize("tag", ["h1", "h2", "h3", "h4", "h5", "p", "div", "span", "strong", "b"])
def test_a_section_heading_may_be_any_heading_like_element(tag):
    body = f"<div><{tag}>Objections :</{tag}><p>Utopia objects to the reservation of Burundi.</p></div>"
    assert notes(page(body)) == [(None, "objection", "Utopia objects to the reservation of Burundi.")]


def test_empty_paragraphs_and_bare_marker_numbers_are_no_notes():
    assert notes(page("<h3>Notifications</h3><p> </p><p>5, 6</p><p><sup>7</sup></p><p>Utopia notified.</p>")) == [
        (None, "notification", "Utopia notified.")]


@pytest.mark.parametrize("label, value", [
    ("<tr><th>Entry into force:</th><td>1 July 2002<br/>in accordance with article 126</td></tr>", "table"),
    ("<dt>Entry into force</dt><dd>1 July 2002 <b>in accordance with article 126</b></dd>", "dl"),
    ("<span>Entry into force:</span><span>1 July 2002, <i>in accordance with article 126</i></span>", "div"),
    ("<div>Entry into force:</div><div>1 July 2002 in accordance with article 126</div>", "div"),
])
def test_entry_into_force_is_found_after_its_label_in_any_layout(label, value):
    facts = f"<{value}>{label}</{value}>"
    eif = read(page(facts=facts))[f"{REF}:treaty"].fields["entry_into_force"]
    assert eif.replace(",", "") == "1 July 2002 in accordance with article 126"
