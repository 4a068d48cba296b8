"""The `untc` participants table as records: header columns, rows and date cells, and a clear
failure for a table of a shape the reader does not know."""

from __future__ import annotations

import pytest

from monitor.errors import StructureChanged
from monitor.sources.untc import Parsed, RawNote, Row, build_records, first_date, parse_cell

REF = "IV-4"


def table(header: list[str], *rows: list[str], notes: list[RawNote] = ()) -> Parsed:
    return Parsed("Covenant", header, [Row(cells) for cells in rows], list(notes), None, None, None)


def participants(header: list[str], *rows: list[str]) -> dict[str, dict]:
    records = build_records(REF, table(header, *rows), "IV-4 (x)", "u", None)
    return {r.key.split(":", 2)[2]: r.fields for r in records if ":participant:" in r.key}


@pytest.mark.parametrize("header", [
    ["Participant", "Signature", "Ratification, Accession(a), Succession(d)"],
    ["Participants 1", "Signature, Succession to signature(d)", "Ratification, Acceptance(A), Approval(AA), "
                                                                 "Accession(a)"],
    ["Participant", "Signature", "Formal confirmation(c), Accession(a)"],
    ["participant", "signature", "Approval(AA)"],
    ["Participant", "Succession to signature (d)", "Acceptance(A) 2, 3"],
    ["Participant", "Signature", "Formal confirmation(c)"],
])
def test_known_headers_give_the_signature_and_consent_columns(header):
    fields = participants(header, ["Fiji", "1 Sep 1993 d", "16 Aug 2018 a"])["Fiji"]
    assert (fields["signature"], fields["consent"], fields["consent_action"]) == ("1993-09-01", "2018-08-16",
                                                                                   "accession")


def test_a_table_of_consents_only_or_signatures_only_is_read():
    assert participants(["Participant", "Accession(a)"], ["Fiji", "16 Aug 2018 a"])["Fiji"]["consent"] == "2018-08-16"
    assert participants(["Participant", "Succession(d)"], ["Fiji", "1 Sep 1993 d"])["Fiji"]["consent_action"] == \
        "succession"
    only = participants(["Participant", "Signature"], ["Fiji", "21 Sep 2016"])["Fiji"]
    assert (only["signature"], only["consent"]) == ("2016-09-21", None)


def test_the_first_filled_consent_column_is_the_row_s_consent_and_the_others_its_history():
    header = ["Participant", "Ratification", "Accession(a)"]
    rows = participants(header, ["Fiji", "", "16 Aug 2018 a"], ["Tonga", "1 Jan 2000 [2 Feb 2002]", "3 Mar 2003 a"],
                        ["Samoa", "1 Jan 2000 [2 Feb 2002] [3 Mar 2003 a]", ""])
    assert rows["Samoa"]["history"] == "consent 2002-02-02 ratification; consent 2003-03-03 accession"
    assert (rows["Fiji"]["consent"], rows["Fiji"]["consent_action"]) == ("2018-08-16", "accession")
    assert (rows["Tonga"]["consent"], rows["Tonga"]["consent_action"], rows["Tonga"]["history"]) == (
        "2000-01-01", "ratification", "consent 2002-02-02 ratification")


@pytest.mark.parametrize("header, message", [
    (["Participant", "Provisional application"], "unknown participants-table column 'Provisional application'"),
    (["Participant", "Signature", "Date"], "unknown participants-table column 'Date'"),
    (["Participant", "and"], "unknown participants-table column 'and'"),
    (["State", "Signature", "Ratification"], "unknown participants-table column 'State' (header: ['State', "
                                             "'Signature', 'Ratification'])"),
    (["Signature", "Participant", "Ratification"], "unknown participants-table column 'Participant'"),
    (["Signature", "Ratification"], "the participants table header ['Signature', 'Ratification'] is not "
                                    "Participant | Signature | Ratification…"),
    (["Participant"], "is not Participant | Signature"),
])
def test_an_unknown_header_fails_loudly_naming_it(header, message):
    with pytest.raises(StructureChanged) as caught:
        build_records(REF, table(header, ["Fiji", "", ""][:len(header)]), "IV-4 (x)", "u", None)
    assert str(caught.value).startswith("IV-4 (x): ") and message in str(caught.value)


def test_rows_of_another_shape_fail_loudly_and_empty_rows_are_skipped():
    header = ["Participant", "Signature", "Ratification"]
    with pytest.raises(StructureChanged, match=r"IV-4 \(x\): a participants row has 4 cells, the header 3: "
                                               r"\['Fiji', None, '16 Aug 2018', 'x'\]"):
        participants(header, ["Fiji", "", "16 Aug 2018", "x"])
    with pytest.raises(StructureChanged, match=r"IV-4 \(x\): a participants row has no participant name"):
        participants(header, ["Fiji", "", "16 Aug 2018"], ["", "", "16 Aug 2018"])
    assert list(participants(header, ["Fiji", "", "16 Aug 2018"], ["", " ", ""], [], ["Tonga", "", ""])) == [
        "Fiji", "Tonga"]
    with pytest.raises(StructureChanged, match=r"IV-4 \(x\): the participants table has no rows"):
        participants(header, ["", "", ""])


def test_a_cell_that_is_not_a_date_names_the_participant():
    with pytest.raises(StructureChanged) as caught:
        participants(["Participant", "Signature"], ["Fiji", "[pending]"])
    assert str(caught.value) == ("IV-4 (x), Fiji: cannot read the date cell 'pending' (expected a date like "
                                 "\"29 May 2013\" with an optional a/d/A/AA/c code)")


@pytest.mark.parametrize("text, current, history", [
    ("[20 Jan\t 2021 A] [2 Feb 2022 a]", ("2022-02-02", "accession"), [("2021-01-20", "acceptance"),
                                                                      ("2022-02-02", "accession")]),
    ("[2 Feb 2022 a] [20 Jan 2021 A]", ("2022-02-02", "accession"), [("2022-02-02", "accession"),
                                                                     ("2021-01-20", "acceptance")]),
    ("3 Sep 2016 A [20 Jan 2021 A]", ("2016-09-03", "acceptance"), [("2021-01-20", "acceptance")]),
    ("21 Sept. 2016 AA 4", ("2016-09-21", "approval"), []),
    ("29 MAY 2013", ("2013-05-29", "ratification"), []),
    ("5 [6]", None, []),
    ("<superscript>5</superscript>", None, []),
    ("[ ]", None, []),
])
def test_a_cell_stands_for_its_main_action_or_its_latest_bracketed_one(text, current, history):
    cell = parse_cell(text, "w")
    assert ((cell.current.date, cell.current.action) if cell.current else None) == current
    assert [(a.date, a.action) for a in cell.history] == history


@pytest.mark.parametrize("text", ["32 May 2013", "0 May 2013", "29 May 2013 aa", "[29 May 2013 X]", "May 2013",
                                  "29 May 2013 a b"])
def test_impossible_dates_and_codes_fail_loudly(text):
    with pytest.raises(StructureChanged, match="cannot read the date cell"):
        parse_cell(text, "w")


@pytest.mark.parametrize("text, date", [
    ("On 1er janvier 2020, …", "2020-01-01"), ("le 4 Novembre 2019", "2019-11-04"), ("on 3 Sept. 2016", "2016-09-03"),
    ("31 December 1999 and 1 January 2000", "1999-12-31"), ("on 40 May 2013", None), ("no date", None),
    ("7 août 2001", "2001-08-07"), ("12 décembre 2015", "2015-12-12"), ("12 Decembre 2015", "2015-12-12"),
])
def test_the_first_date_of_a_text_in_english_or_french(text, date):
    assert first_date(text) == date
