"""UN Treaty Collection MTDSG XML files (`…/MTDSG/Volume I/Chapter IV/IV-4.en.xml`) as a parsed treaty."""

from __future__ import annotations

import re

from lxml import etree

from monitor.errors import StructureChanged
from monitor.records import clean_text
from monitor.sources.untc.records import Parsed, RawNote, Row

# Note sections, by element name anywhere under `Treaty`, and the kind of note each holds.
SECTIONS = {"Declarations": "declaration", "Objections": "objection", "DeclarationsUnderArticle": "declaration",
            "Notifications": "notification", "TerritorialApplications": "territorial_application"}
_LABEL = re.compile(r"^(?:entry into force|registration|status|signatories|parties)\s*:?$", re.I)
_STATUS = re.compile(r"Signatories\s*:\s*(\d+)\s*\.?\s*Parties\s*:\s*(\d+)", re.I)


def xml_text(element: etree._Element, markers: list[str] | None) -> str:
    """An element's text; `<superscript>` child elements go to `markers` (or stay inline as
    numbers when None). Markers written as markup inside the text are left to the caller."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "superscript":
            marker = clean_text("".join(child.itertext())) or ""
            if markers is None:
                parts.append(f" {marker} ")
            else:
                markers.extend(re.findall(r"\d+", marker))
        elif isinstance(child.tag, str):
            parts.append(" " + xml_text(child, markers) + " ")
        parts.append(child.tail or "")
    return "".join(parts)


def parse_xml(text: str, where: str) -> Parsed:
    """Read an MTDSG `.en.xml` document: a participants table (`Participants`, with or without
    `TGroup`) or a special table (`SpecialTables`), metadata found by element name anywhere
    under `Treaty`, and every note section."""
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        root = etree.fromstring(body.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise StructureChanged(f"{where}: not well-formed XML ({exc})") from None
    treaty = root.find("Treaty")
    if root.tag != "Document" or treaty is None:
        raise StructureChanged(f"{where}: expected a <Document><Treaty> MTDSG file, got <{root.tag}>")
    table = treaty.find(".//Participants/Table")
    if table is not None:
        header, rows = _participants(table, where)
    elif (special := treaty.find(".//SpecialTables")) is not None:
        header, rows = _special_table(special, where)
    else:
        raise StructureChanged(f"{where}: neither a Participants table nor SpecialTables under Treaty")
    notes: list[RawNote] = []
    for section, kind in SECTIONS.items():
        for holder in treaty.iter(section):
            if not any(above.tag == section for above in holder.iterancestors()):
                notes += _section_notes(holder, kind)
    for holder in treaty.iter("EndNotes"):
        notes += [RawNote(text, "endnote") for text in _paragraphs(holder)]
    status = next((node for node in treaty.iter("Status")
                   if node.find("Signatories") is not None or node.find("Parties") is not None
                   or _STATUS.search(" ".join(node.itertext()))), None)
    signatories = parties = None
    if status is not None:
        signatories, parties = _number(status.findtext("Signatories")), _number(status.findtext("Parties"))
        if signatories is None and parties is None:
            match = _STATUS.search(" ".join(status.itertext()))
            signatories, parties = match.groups() if match else (None, None)
    return Parsed(_title(treaty), header, rows, notes, _labelled(treaty, "EIF"), signatories, parties,
                  _labelled(treaty, "Registration"), _labelled(treaty, "Conclusion"))


def _participants(table: etree._Element, where: str) -> tuple[list[str], list[Row]]:
    group = table.find("TGroup")
    group = group if group is not None else table
    rows = group.findall("Tbody/Rows/Row")
    head = group.find("Thead/Row")
    if head is None and rows:
        first = _cells(rows[0], "Entry").cells
        if first and "participant" in (clean_text(first[0]) or "").lower():
            head, rows = rows[0], rows[1:]
    if head is None:
        raise StructureChanged(f"{where}: no Thead/Row header in the participants table")
    return _cells(head, "Entry").cells, [_cells(row, "Entry") for row in rows]


def _special_table(special: etree._Element, where: str) -> tuple[list[str], list[Row]]:
    """`SpecialTables`: header cells `TableHeader/Title`, rows `Row/Column`; the table read is the
    first whose header starts with "Participant"."""
    for head in special.iter("TableHeader"):
        header = [xml_text(title, []) for title in head.findall("Title")]
        if header and "participant" in (clean_text(header[0]) or "").lower():
            holder = head.getparent()
            return header, [_cells(row, "Column") for row in holder.iter("Row") if row.find("Column") is not None]
    raise StructureChanged(f"{where}: SpecialTables has no TableHeader whose first Title is \"Participant\"")


def _cells(row: etree._Element, tag: str) -> Row:
    markers: list[str] = []
    entries = row.findall(tag)
    cells = [xml_text(entry, markers) for entry in entries]
    if entries:
        lead = entries[0].text or ""
        cells[0] = lead if clean_text(lead) else cells[0]
    return Row(cells, markers)


def _title(treaty: etree._Element) -> str | None:
    for tag in ("Titlesect", "Title"):
        for node in treaty.iter(tag):
            parent = node.getparent()
            if parent is not None and parent.tag == "TableHeader":
                continue
            text = clean_text(xml_text(node, []))
            if text:
                return text
    return None


def _labelled(treaty: etree._Element, tag: str) -> str | None:
    """The value of the first `tag` element: its texts (`Labeltext` holds the value itself in one
    layout, a label such as "Entry into force:" before a `Text` in the other), labels left out."""
    node = next(treaty.iter(tag), None)
    if node is None:
        return None
    parts = [node.text or ""] + [xml_text(child, []) + " " + (child.tail or "") for child in node
                                 if isinstance(child.tag, str)]
    values = [clean_text(part) for part in parts]
    return " ".join(v for v in values if v and not _LABEL.match(v)) or None


def _number(text: str | None) -> str | None:
    found = re.search(r"\d+", text or "")
    return found.group(0) if found else None


def _paragraphs(holder: etree._Element) -> list[str]:
    paragraphs = [xml_text(node, None) for node in holder.iter("Text") if node.get("type", "para") == "para"]
    if not paragraphs:
        paragraphs = [xml_text(child, None) for child in holder if isinstance(child.tag, str)]
    return join_headings([p for p in paragraphs if clean_text(p)])


def _section_notes(holder: etree._Element, kind: str) -> list[RawNote]:
    notes = []
    for child in holder:
        if not isinstance(child.tag, str) or child.tag == "Labeltext":
            continue
        owner = child.find("Participant")
        participant = clean_text(xml_text(owner, [])) if owner is not None else None
        for text in _paragraphs(child) if owner is not None else [xml_text(child, None)]:
            if participant and clean_text(text) == participant:
                continue
            notes.append(RawNote(text, kind, participant or None))
    return notes


def join_headings(paragraphs: list[str]) -> list[str]:
    """Short paragraphs ending with ":" ("Reservation:") are joined to the next paragraph."""
    out, pending = [], ""
    for paragraph in paragraphs:
        text = clean_text(paragraph) or ""
        if text.endswith(":") and len(text) <= 80:
            pending = f"{pending} {text}".strip()
            continue
        out.append(f"{pending} {text}".strip() if pending else text)
        pending = ""
    return out
