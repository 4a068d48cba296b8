"""The MTDSG XML reader, document in, records out: the rows, notes and treaty facts alerts are made of,
and a clear failure for a document of another shape. Documents follow the structure in
tests/fixtures/un/README.md (real marker form: escaped `<superscript>` inside the text)."""

from __future__ import annotations

import pytest

from helpers.untc import note_fields, reader
from monitor.errors import StructureChanged
from monitor.sources.untc import build_records, parse_xml

REF = "IV-4"
HEAD = "<Row><Entry>Participant</Entry><Entry>Signature</Entry><Entry>Ratification, Accession(a)</Entry></Row>"
ROWS = ("<Row><Entry>Fiji</Entry><Entry>21 Sep\t 2016</Entry><Entry>16 Aug\t 2018 a</Entry></Row>"
        "<Row><Entry>Burundi&lt;superscript&gt;2&lt;/superscript&gt;</Entry><Entry></Entry>"
        "<Entry>9 May\t 1990 a</Entry></Row>")
META = ("<Header><ExternalData><Titlesect>International Covenant on Civil and Political Rights</Titlesect>"
        "<Conclusion>New York, 16 December 1966</Conclusion>"
        "<EIF><Labeltext>23 March 1976, in accordance with article 49.</Labeltext></EIF>"
        "<Registration><Labeltext>No. 14668</Labeltext></Registration>"
        "<Status><Signatories>74</Signatories><Parties>174</Parties></Status></ExternalData></Header>")


def document(table: str | None = None, extra: str = "", meta: str = META) -> str:
    if table is None:
        table = (f"<Participants><Table><TGroup><Thead>{HEAD}</Thead><Tbody><Rows>{ROWS}</Rows></Tbody></TGroup>"
                 "</Table></Participants>")
    return f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<Document><Treaty>{meta}{table}{extra}</Treaty></Document>'


read = reader(parse_xml, REF)


def notes(text: str) -> list[tuple[str | None, str, str]]:
    return note_fields(read(text))


def test_a_document_gives_each_row_its_dates_actions_and_markers():
    records = read(document())
    assert records[f"{REF}:participant:Fiji"].fields == {
        "participant": "Fiji", "signature": "2016-09-21", "consent": "2018-08-16", "consent_action": "accession",
        "history": None, "markers": None}
    assert records[f"{REF}:participant:Burundi"].fields == {
        "participant": "Burundi", "signature": None, "consent": "1990-05-09", "consent_action": "accession",
        "history": None, "markers": "2"}
    assert {r.title for r in records.values()} == {"International Covenant on Civil and Political Rights"}


def test_the_treaty_record_holds_entry_into_force_counts_registration_and_conclusion():
    assert read(document())[f"{REF}:treaty"].fields == {
        "title": "International Covenant on Civil and Political Rights", "signatories": "74", "parties": "174",
        "entry_into_force": "23 March 1976, in accordance with article 49.", "registration": "No. 14668",
        "concluded": "New York, 16 December 1966"}


def test_the_flat_layout_leaves_its_labels_out_of_the_values():
    meta = ("<Title>Covenant</Title><EIF><Labeltext>Entry into force:</Labeltext><Text>23 March 1976.</Text></EIF>"
            "<Registration><Labeltext>Registration :</Labeltext><Text>No. 14668</Text></Registration>"
            "<Status><Labeltext>Status:</Labeltext>Signatories: 74. Parties: 174</Status>")
    assert read(document(meta=meta))[f"{REF}:treaty"].fields == {
        "title": "Covenant", "signatories": "74", "parties": "174", "entry_into_force": "23 March 1976.",
        "registration": "No. 14668", "concluded": None}


def test_a_treaty_without_entry_into_force_or_registration_has_none():
    records = read(document(meta="<Title>Covenant</Title>"))
    fields = records[f"{REF}:treaty"].fields
    assert (fields["entry_into_force"], fields["registration"], fields["concluded"]) == (None, None, None)
    assert {r.url for r in read(document(extra="<Notifications><Para>A note.</Para></Notifications>")).values()} == {
        "https://example/view"}


def test_counts_written_with_words_are_read_as_numbers():
    meta = "<Title>Covenant</Title><Status><Signatories>Signatories: 74</Signatories><Parties>174.</Parties></Status>"
    fields = read(document(meta=meta))[f"{REF}:treaty"].fields
    assert (fields["signatories"], fields["parties"]) == ("74", "174")


def test_a_status_element_without_counts_is_not_read_as_the_status():
    meta = ("<Title>Covenant</Title><Status>Pending</Status>"
            "<Header><Status><Signatories>74</Signatories></Status></Header>")
    fields = read(document(meta=meta))[f"{REF}:treaty"].fields
    assert (fields["signatories"], fields["parties"]) == ("74", None)


def test_titlesect_wins_over_a_title_and_a_table_header_title_is_never_the_title():
    meta = ("<SpecialTables><SpecialTable><TableHeader><Title>Participant</Title></TableHeader></SpecialTable>"
            "</SpecialTables><Title>  </Title><Title>Old title</Title><Titlesect>1. Covenant</Titlesect>")
    assert read(document(meta=meta))[f"{REF}:treaty"].fields["title"] == "Covenant"
    only_header = ("<SpecialTables><SpecialTable><TableHeader><Title>Participant</Title></TableHeader></SpecialTable>"
                   "</SpecialTables>")
    parsed = parse_xml(document(meta=only_header), "w")
    assert parsed.title is None
    records = build_records(REF, parsed, "w", "u", "Fallback title")
    assert {r.title for r in records} == {"Fallback title"}


def test_rows_without_tgroup_and_a_header_given_as_the_first_row_are_read():
    plain = f"<Participants><Table><Thead>{HEAD}</Thead><Tbody><Rows>{ROWS}</Rows></Tbody></Table></Participants>"
    first = f"<Participants><Table><TGroup><Tbody><Rows>{HEAD}{ROWS}</Rows></Tbody></TGroup></Table></Participants>"
    assert read(document(plain)) == read(document()) == read(document(first))


def test_a_table_without_a_header_fails_loudly():
    headless = f"<Participants><Table><TGroup><Tbody><Rows>{ROWS}</Rows></Tbody></TGroup></Table></Participants>"
    with pytest.raises(StructureChanged, match=r"IV-4 \(x\): no Thead/Row header"):
        parse_xml(document(headless), "IV-4 (x)")


def test_special_tables_read_the_participants_table_not_the_one_before_it():
    special = ("<SpecialTables><SpecialTable><TableHeader><Title>Territory</Title><Title>Date</Title></TableHeader>"
               "<Row><Column>Aruba</Column><Column>1 Jan 1990</Column></Row></SpecialTable>"
               "<SpecialTable><TableHeader><Title>Participant</Title><Title>Signature</Title>"
               "<Title>Ratification, Accession(a)</Title></TableHeader>"
               "<Row><Column>Fiji&lt;superscript&gt;3&lt;/superscript&gt;</Column><Column></Column>"
               "<Column>16 Aug\t 2018 a</Column></Row><Row/></SpecialTable></SpecialTables>")
    records = read(document(special))
    assert [k for k in records if ":participant:" in k] == [f"{REF}:participant:Fiji"]
    assert records[f"{REF}:participant:Fiji"].fields["markers"] == "3"


def test_special_tables_without_a_participants_header_fail_loudly():
    special = ("<SpecialTables><SpecialTable><TableHeader><Title>Territory</Title></TableHeader></SpecialTable>"
               "</SpecialTables>")
    with pytest.raises(StructureChanged, match="SpecialTables has no TableHeader whose first Title is"):
        parse_xml(document(special), "w")


@pytest.mark.parametrize("body, message", [
    ("<Document><Treaty><Participants></Treaty></Document>", r"IV-4 \(x\): not well-formed XML"),
    ("<html><body>Service unavailable</body></html>",
     r"IV-4 \(x\): expected a <Document><Treaty> MTDSG file, got <html>"),
    ("<Document><Header/></Document>", "expected a <Document><Treaty> MTDSG file, got <Document>"),
    ("<Status><Treaty/></Status>", "got <Status>"),
    ("<Document><Treaty><Title>x</Title></Treaty></Document>", "neither a Participants table nor SpecialTables"),
])
def test_documents_of_another_shape_fail_loudly(body, message):
    with pytest.raises(StructureChanged, match=message):
        parse_xml(body, "IV-4 (x)")


def test_an_external_entity_is_never_read_into_a_record(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    body = (f'<!DOCTYPE Document [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            f"<Document><Treaty><Title>Covenant &x;</Title><Participants><Table><Thead>{HEAD}</Thead><Tbody><Rows>"
            f"{ROWS}</Rows></Tbody></Table></Participants></Treaty></Document>")
    records = read(body)
    assert "SECRET" not in repr(list(records.values()))


def test_every_note_section_gives_notes_of_its_kind_filed_under_their_participant():
    sections = (
        "<Declarations><Labeltext>Declarations</Labeltext>"
        "<Declaration><Participant>Fiji</Participant><Text type='para'>Fiji</Text>"
        "<Text type='para'>Reservation:</Text><Text type='para'>Fiji reserves article 1.</Text>"
        "<Text type='heading'>Ignored heading</Text></Declaration></Declarations>"
        "<Objections><Objection><Participant>Burundi</Participant><Text>Burundi objects.</Text></Objection>"
        "</Objections>"
        "<DeclarationsUnderArticle><Declaration><Participant>Fiji</Participant><Text type='para'>Under article 41."
        "</Text></Declaration></DeclarationsUnderArticle>"
        "<Notifications><Para>A notification without a participant.</Para></Notifications>"
        "<TerritorialApplications><TerritorialApplication><Participant>Burundi</Participant>"
        "<Text type='para'>Applies to Ruritania.</Text></TerritorialApplication></TerritorialApplications>")
    assert sorted(notes(document(extra=sections)), key=lambda n: (n[1], n[2])) == [
        ("Fiji", "declaration", "Reservation: Fiji reserves article 1."),
        ("Fiji", "declaration", "Under article 41."),
        (None, "notification", "A notification without a participant."),
        ("Burundi", "objection", "Burundi objects."),
        ("Burundi", "territorial_application", "Applies to Ruritania."),
    ]


def test_numbered_paragraphs_of_a_declaration_keep_their_numbers_and_kind():
    sections = ("<Declarations><Declaration><Participant>Fiji (on behalf of Rotuma)</Participant>"
                "<Text type='para'>1. Fiji reserves article 1.</Text></Declaration>"
                "<Declaration><Participant>Kosovo</Participant><Text type='para'>2) Kosovo declares.</Text>"
                "</Declaration></Declarations>")
    assert sorted(notes(document(extra=sections))) == [
        ("Fiji", "declaration", "1. Fiji reserves article 1."), ("Kosovo", "declaration", "2) Kosovo declares.")]


def test_end_notes_are_footnotes_of_the_row_that_carries_their_number():
    end_notes = ("<EndNotes><Text type='para'>&lt;superscript&gt;2&lt;/superscript&gt; Burundi: a note on its "
                 "accession.</Text><Text type='para'>&lt;superscript&gt;3&lt;/superscript&gt;</Text>"
                 "<Text type='para'>4, 5</Text><Text type='para'>  </Text>"
                 "<Text type='para'>7 May 1990: an unnumbered note.</Text></EndNotes>")
    records = read(document(extra=end_notes))
    assert {k: (r.fields["participant"], r.fields["kind"], r.fields["text"]) for k, r in records.items()
            if ":note:" in k} == {
        f"{REF}:note:-:e6c24b138c57": ("Burundi", "footnote", "Burundi: a note on its accession."),
        f"{REF}:note:-:d416d3a440dd": (None, "endnote", "7 May 1990: an unnumbered note."),
    }


def test_a_row_s_name_is_its_first_entry_s_own_text_or_else_its_child_s():
    rows = ("<Row><Entry>Fiji<superscript>3</superscript><Comment>constructed child</Comment></Entry><Entry></Entry>"
            "<Entry>16 Aug\t 2018 a</Entry></Row>"
            "<Row><Entry><Name>Tonga</Name></Entry><Entry></Entry><Entry>1 Jan\t 2000</Entry></Row>")
    table = f"<Participants><Table><Thead>{HEAD}</Thead><Tbody><Rows>{rows}</Rows></Tbody></Table></Participants>"
    records = read(document(table))
    assert sorted(k for k in records if ":participant:" in k) == [f"{REF}:participant:Fiji", f"{REF}:participant:Tonga"]
    assert records[f"{REF}:participant:Fiji"].fields["markers"] == "3"


def test_the_title_and_entry_into_force_leave_child_markers_out_and_join_their_parts():
    meta = ("<SpecialTables><SpecialTable><TableHeader><Title>Participant</Title></TableHeader></SpecialTable>"
            "</SpecialTables><Title>Covenant<superscript>1</superscript></Title>"
            "<EIF><Labeltext>Entry into force:</Labeltext><Text>23 March 1976<superscript>2</superscript></Text>"
            "<Text>in accordance with article 49.</Text></EIF>")
    fields = read(document(meta=meta))[f"{REF}:treaty"].fields
    assert (fields["title"], fields["entry_into_force"]) == ("Covenant", "23 March 1976 in accordance with article 49.")


def test_note_paragraphs_without_text_elements_are_read_from_the_children():
    extra = ("<EndNotes><Para>&lt;superscript&gt;2&lt;/superscript&gt; Burundi: a note on its accession.</Para>"
             "</EndNotes><Declarations><Declaration><Participant>Fiji</Participant><Para>Fiji declares.</Para>"
             "</Declaration></Declarations>")
    assert sorted(notes(document(extra=extra))) == [
        ("Burundi", "footnote", "Burundi: a note on its accession."), ("Fiji", "declaration", "Fiji declares.")]
