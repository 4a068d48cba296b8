"""The `untc` kind: status of multilateral treaties deposited with the UN Secretary-General."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from lxml import etree

from .. import options as o
from ..config import SourceConfig
from ..context import SourceContext
from ..diff import Change
from ..errors import StructureChanged
from ..events import Event, Treaty, event_id
from ..options import Option
from ..records import Record, clean_text
from .base import Part, Source, part_or_error

if TYPE_CHECKING:  # bs4 is loaded only when the HTML fallback is used
    from bs4 import BeautifulSoup, Tag

# --- the chapter index ------------------------------------------------------------------
# Derived from the chapter index of https://treaties.un.org/Pages/Treaties.aspx as captured
# in May 2026 (244 treaties): chapter -> number of treaties N, numbered 1..N, minus gaps.
# Chapter XI (subchapters XI-A…XI-D) and lettered instruments (protocols, amendments such as
# XXVII-7-d) are not in that index; name them with `treaties`.
CHAPTER_INDEX: dict[int, int] = {
    1: 5, 2: 1, 3: 13, 4: 16, 5: 5, 6: 19, 7: 11, 8: 6, 9: 4, 10: 22, 12: 8, 13: 3, 14: 7, 15: 3,
    16: 3, 17: 1, 18: 16, 19: 49, 20: 1, 21: 10, 22: 4, 23: 3, 24: 2, 25: 4, 26: 9, 27: 18, 28: 1,
    29: 1,
}
INDEX_GAPS = {"XIX-12"}
INDEX_DATE = "2026-05"

ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
         "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI",
         "XXVII", "XXVIII", "XXIX"]
LAST_CHAPTER_OF_VOLUME_I = 12

_REF = re.compile(r"^(?P<chapter>[IVXL]+)-(?:[A-Z]-)?\d+(?:-[a-z0-9]+)*$")


def chapter_of(ref: str) -> int:
    """The chapter number of a reference such as "XXVII-7-d"; ValueError when it is not one."""
    match = _REF.match(ref)
    if not match or match.group("chapter") not in ROMAN[1:]:
        raise ValueError(f"{ref!r} is not an MTDSG reference such as \"IV-4\" or \"XXVII-7-d\"")
    return ROMAN.index(match.group("chapter"))


def index_refs(chapters: Iterable[int]) -> list[str]:
    """The references the shipped chapter index lists for these chapters."""
    refs = []
    for chapter in chapters:
        for number in range(1, CHAPTER_INDEX.get(chapter, 0) + 1):
            ref = f"{ROMAN[chapter]}-{number}"
            if ref not in INDEX_GAPS:
                refs.append(ref)
    return refs


CORE_TREATIES = ["IV-2", "IV-3", "IV-4", "IV-8", "IV-9", "IV-11", "IV-13", "IV-15", "IV-16", "XVIII-10",
                 "XXVII-7-d"]
"""The default watch list: the nine core human-rights treaties, the Rome Statute, the Paris Agreement."""


def _treaties(value: Any) -> list[str] | str:
    if value == "all":
        return "all"
    refs = o.text_list(value)
    for ref in refs:
        chapter_of(ref.strip())
    return [ref.strip() for ref in refs]


def _chapters(value: Any) -> list[int] | str:
    if value == "all":
        return "all"
    if not isinstance(value, list):
        value = [value]
    out = []
    for item in value:
        number = o.integer(1, 29)(item)
        if number not in CHAPTER_INDEX:
            raise ValueError(f"chapter {number} is not in the shipped chapter index ({INDEX_DATE}); "
                             "name its treaties in `treaties`")
        out.append(number)
    return out


# --- cells --------------------------------------------------------------------------------

MONTHS = {name: number for number, names in enumerate([
    (), ("jan", "january", "janvier"), ("feb", "february", "février", "fevrier"), ("mar", "march", "mars"),
    ("apr", "april", "avril"), ("may", "mai"), ("jun", "june", "juin"), ("jul", "july", "juillet"),
    ("aug", "august", "août", "aout"), ("sep", "sept", "september", "septembre"),
    ("oct", "october", "octobre"), ("nov", "november", "novembre"), ("dec", "december", "décembre", "decembre"),
]) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH})\.?\s+(\d{{4}})\b", re.I)
_CELL_DATE = re.compile(rf"^(\d{{1,2}})\s+((?i:{_MONTH}))\.?\s+(\d{{4}})(?:\s*\b(AA|A|a|d|c)\b)?(?P<rest>.*)$")
ACTIONS = {"": "ratification", "a": "accession", "d": "succession", "A": "acceptance", "AA": "approval",
           "c": "formal_confirmation"}
_FOOTNOTES_ONLY = re.compile(r"^[\s,\d]*$")
_TRAILING_NUMBERS = re.compile(r"[\s,]*\d+(?:[\s,]+\d+)*\s*$")


def iso_date(day: str, month: str, year: str) -> str | None:
    number = MONTHS.get(month.lower().rstrip("."))
    if number is None or not 1 <= int(day) <= 31:
        return None
    return f"{int(year):04d}-{number:02d}-{int(day):02d}"


def first_date(text: str) -> str | None:
    match = DATE.search(text)
    return iso_date(*match.groups()) if match else None


def clean_name(text: str) -> str:
    """A participant's name without glued footnote numbers ("Denmark 1, 2" -> "Denmark")."""
    return clean_text(_TRAILING_NUMBERS.sub("", text)) or ""


@dataclass
class Action:
    """One dated action read from a cell: ISO date and the action's name."""

    date: str
    action: str


@dataclass
class Cell:
    """A date cell: its main action and the bracketed actions after a withdrawal."""

    main: Action | None = None
    history: list[Action] = field(default_factory=list)


def parse_cell(text: str, where: str) -> Cell:
    """Parse "29 May\\t 2013 a", "3 Sep 2016 A [20 Jan 2021 A]" or "" (footnote markers removed)."""
    text = clean_text(text) or ""
    brackets = re.findall(r"\[([^\]]*)\]", text)
    main = clean_text(re.sub(r"\[[^\]]*\]", " ", text)) or ""
    cell = Cell()
    if main and not _FOOTNOTES_ONLY.match(main):
        cell.main = _one_action(main, where)
    for inner in brackets:
        inner = clean_text(inner) or ""
        if inner and not _FOOTNOTES_ONLY.match(inner):
            cell.history.append(_one_action(inner, where))
    return cell


def _one_action(text: str, where: str) -> Action:
    match = _CELL_DATE.match(text)
    date = iso_date(*match.groups()[:3]) if match else None
    if not match or date is None or not _FOOTNOTES_ONLY.match(match.group("rest")):
        raise StructureChanged(f"{where}: cannot read the date cell {text!r} "
                               "(expected a date like \"29 May 2013\" with an optional a/d/A/AA/c code)")
    return Action(date, ACTIONS[match.group(4) or ""])


# Header columns: each known text is what a column may hold; anything else is a new shape.
_HEADER_WORDS = re.compile(
    r"participants?|succession to signature\s*\(d\)|signature|ratification|accession\s*\(a\)|"
    r"succession\s*\(d\)|acceptance\s*\(a\)|approval\s*\(aa\)|formal confirmation\s*\(c\)|"
    r"accession|succession|acceptance|approval|formal confirmation|[,/\s]|and\b", re.I)


def column_roles(header: list[str], where: str) -> list[str]:
    """Map header texts to roles (participant, signature, consent); unknown texts fail loudly."""
    roles = []
    for index, raw in enumerate(header):
        text = clean_text(raw) or ""
        if _HEADER_WORDS.sub("", text):
            raise StructureChanged(f"{where}: unknown participants-table column {text!r} "
                                   f"(header: {[clean_text(h) for h in header]})")
        lowered = text.lower()
        if index == 0 and "participant" in lowered:
            roles.append("participant")
        elif "ratification" in lowered or "accession" in lowered or "acceptance" in lowered \
                or "approval" in lowered or "confirmation" in lowered \
                or ("succession" in lowered and "signature" not in lowered):
            roles.append("consent")
        elif "signature" in lowered:
            roles.append("signature")
        else:
            raise StructureChanged(f"{where}: unknown participants-table column {text!r} "
                                   f"(header: {[clean_text(h) for h in header]})")
    if roles[:1] != ["participant"] or "consent" not in roles and "signature" not in roles:
        raise StructureChanged(f"{where}: the participants table header {header!r} is not "
                               "Participant | Signature | Ratification…")
    return roles


# --- the parsed treaty --------------------------------------------------------------------

@dataclass
class Row:
    """One participants-table row as text, footnote markers taken out into `markers`."""

    cells: list[str]
    markers: list[str]


@dataclass
class RawNote:
    """A note paragraph: its text, its kind, and the participant it is filed under, if any."""

    text: str
    kind: str
    participant: str | None = None


@dataclass
class Parsed:
    """Everything read from one treaty document, whichever format it came in."""

    title: str | None
    header: list[str]
    rows: list[Row]
    notes: list[RawNote]
    eif: str | None
    signatories: str | None
    parties: str | None


_NUMBERED = re.compile(rf"^\s*(\d{{1,3}})\s*[.)]?\s+(?!(?:{_MONTH})\b)(?=\S)", re.I)
_STATUS = re.compile(r"Signatories\s*:\s*(\d+)\s*\.?\s*Parties\s*:\s*(\d+)", re.I)
_TITLE_NUMBER = re.compile(r"^\s*\d+\s*\.\s*")


def build_records(ref: str, parsed: Parsed, where: str, url: str, fallback_title: str | None) -> list[Record]:
    """Turn a parsed treaty document into participant, note and treaty records."""
    roles = column_roles(parsed.header, where)
    title = clean_text(_TITLE_NUMBER.sub("", parsed.title or "")) or fallback_title
    records: list[Record] = []
    owners: dict[str, set[str]] = {}
    names: list[str] = []
    for row in parsed.rows:
        if len(row.cells) > len(roles):
            raise StructureChanged(f"{where}: a participants row has {len(row.cells)} cells, the header "
                                   f"{len(roles)}: {[clean_text(c) for c in row.cells]}")
        name = clean_name(row.cells[0]) if row.cells else ""
        glued = _TRAILING_NUMBERS.search(row.cells[0]) if row.cells else None
        markers = row.markers + (re.findall(r"\d+", glued.group(0)) if glued else [])
        if not name:
            if any(clean_text(c) for c in row.cells):
                raise StructureChanged(f"{where}: a participants row has no participant name: {row.cells!r}")
            continue
        names.append(name)
        for marker in markers:
            owners.setdefault(marker, set()).add(name)
        fields: dict[str, str | None] = {"participant": name, "signature": None, "consent": None,
                                          "consent_action": None, "history": None}
        history = []
        for role, text in zip(roles[1:], row.cells[1:]):
            cell = parse_cell(text, f"{where}, {name}")
            if cell.main and not fields.get(role):
                fields[role] = cell.main.date
                if role == "consent":
                    fields["consent_action"] = cell.main.action
            history += [f"{role} {a.date} {a.action}" for a in cell.history]
        fields["history"] = "; ".join(history) or None
        records.append(Record(f"{ref}:participant:{name}", fields, title, url))
    if not names:
        raise StructureChanged(f"{where}: the participants table has no rows")
    for note in parsed.notes:
        record = note_record(ref, note, names, owners, title, url)
        if record is not None:
            records.append(record)
    records.append(Record(f"{ref}:treaty", {
        "title": title, "signatories": parsed.signatories, "parties": parsed.parties,
        "entry_into_force": clean_text(parsed.eif)}, title, url))
    return records


def note_record(ref: str, note: RawNote, names: list[str], owners: dict[str, set[str]],
                title: str | None, url: str) -> Record | None:
    """One note as a record. Its key names the participant only when the document files the note
    under it (declarations…) or the text itself says who withdrew, so a footnote keeps its key
    when the row that refers to it is missing from one fetch."""
    text, kind = note.text, note.kind
    referenced = None
    number = _NUMBERED.match(text) if kind == "endnote" else None
    if number:
        text, kind = text[number.end():], "footnote"
        holders = owners.get(number.group(1), set())
        referenced = next(iter(holders)) if len(holders) == 1 else None
    text = clean_text(text) or ""
    if not text or _FOOTNOTES_ONLY.match(text):
        return None
    owner = (match_participant(note.participant, names) or clean_name(note.participant)) if note.participant else None
    identity = text
    if is_withdrawal(text):
        owner = withdrawal_actor(text, names) or owner or named_actor(text) or referenced
        notified = withdrawal_dates(text)[0]
        if notified:
            # One withdrawal, one record: a reworded note ("will take effect" -> "took effect") is a
            # change of this record, not a new withdrawal.
            identity = f"withdrawal {owner} {notified}"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
    return Record(f"{ref}:note:{owner or '-'}:{digest}",
                  {"participant": owner or referenced, "text": text, "kind": kind}, title, url)


def match_participant(text: str, names: list[str]) -> str | None:
    """The table name a free-text party designation refers to ("the Government of the United
    States of America" -> "United States of America"): the earliest, then longest, mention."""
    lowered = (clean_text(text) or "").casefold()
    best: tuple[int, int, str] | None = None
    for name in names:
        found = re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", lowered)
        if found:
            rank = (found.start(), -len(name), name)
            best = rank if best is None or rank < best else best
    return best[2] if best else None


# --- withdrawals ---------------------------------------------------------------------------

_WITHDRAWAL = re.compile(
    r"\bwithdr[ae]w(?:n|s|ing)?\s+from\b|\bwithdrawal\s+from\b|\bnotification\s+of\s+withdrawal\b|"
    r"\bdecision\s+to\s+withdraw\b|\bdenounc\w*|\bdenunciation\b|\bdénon[cç]\w*|\bse\s+retirer\b|"
    r"\bretrait\s+(?:du|de\s+la|de\s+l'|des)\s+(?:Pacte|Convention|Accord|Protocole|Statut|Traité)", re.I)
_NOT_WITHDRAWAL = re.compile(
    r"\brevo(?:ke|ked|cation)\b|\brescind\w*|\bwithdr[ae]w\w*\s+(?:of\s+)?(?:its|the|their|this|that)\s+"
    r"(?:notification|reservation|declaration|objection)|\bwithdrawal\s+of\s+(?:its\s+|the\s+)?"
    r"(?:notification|reservations?|declarations?|objections?)\b|\bdenunciation\s+of\s+the\s+notification\b",
    re.I)
_EFFECT = re.compile(
    rf"(?:(?:took|take|takes|taking|taken)\s+effect|effective|with\s+effect|prend(?:ra)?\s+effet|"
    rf"a\s+pris\s+effet|prenant\s+effet)\s+(?:on|from|as\s+(?:of|from)|le|à\s+compter\s+du)?\s*"
    rf"(\d{{1,2}})(?:er)?\s+({_MONTH})\.?\s+(\d{{4}})", re.I)
_SENTENCE_END = re.compile(r"[.;]\s+(?=[A-Z\[(])")


def is_withdrawal(text: str) -> bool:
    """Whether a note says a party withdrew from or denounced the treaty (not a reservation)."""
    return bool(_WITHDRAWAL.search(text)) and not _NOT_WITHDRAWAL.search(text)


def withdrawal_actor(text: str, names: list[str]) -> str | None:
    """The participant (as named in the table) whose withdrawal a note reports."""
    match = _WITHDRAWAL.search(text)
    if not match:
        return None
    start = _sentence_start(text, match.start())
    end = _SENTENCE_END.search(text, match.end())
    return match_participant(text[start:end.start() if end else len(text)], names)


_ACTOR = re.compile(r"\bGovernment\s+of\s+(?:the\s+)?(?P<who>[A-Z][^,;]*?)\s+(?:notified|has\s+notified|informed|"
                    r"of\s+its|a\s+notification|deposited)\b|\bGouvernement\s+(?:de\s+la\s+|du\s+|des\s+|de\s+l'|"
                    r"de\s+|d')(?P<qui>[^,;]+?)\s+a\s+notifié")


def named_actor(text: str) -> str | None:
    """The party a withdrawal note names as its author, as written ("the Government of X notified")."""
    match = _ACTOR.search(text)
    return clean_text(match.group("who") or match.group("qui")) if match else None


def withdrawal_dates(text: str) -> tuple[str | None, str | None]:
    """(notification date, effective date) of the withdrawal a note reports, in ISO form."""
    match = _WITHDRAWAL.search(text)
    if not match:
        return None, None
    start = _sentence_start(text, match.start())
    notified = first_date(text[start:match.start()]) or first_date(text)
    effect = _EFFECT.search(text, match.start()) or _EFFECT.search(text)
    return notified, iso_date(*effect.groups()) if effect else None


def _sentence_start(text: str, position: int) -> int:
    start = 0
    for boundary in _SENTENCE_END.finditer(text, 0, position):
        start = boundary.end()
    return start


# --- XML ----------------------------------------------------------------------------------

def _xml_text(element: etree._Element, markers: list[str] | None) -> str:
    """An element's text; `<superscript>` markers go to `markers` (or stay inline when None)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "superscript":
            marker = clean_text("".join(child.itertext())) or ""
            if markers is None:
                parts.append(f" {marker} ")
            else:
                markers.extend(re.findall(r"\d+", marker))
        elif isinstance(child.tag, str):
            parts.append(" " + _xml_text(child, markers) + " ")
        parts.append(child.tail or "")
    return "".join(parts)


def parse_xml(text: str, where: str) -> Parsed:
    """Read an MTDSG `.en.xml` document."""
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        root = etree.fromstring(body.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise StructureChanged(f"{where}: not well-formed XML ({exc})") from None
    if root.tag != "Document" or root.find("Treaty") is None:
        raise StructureChanged(f"{where}: expected a <Document><Treaty> MTDSG file, got <{root.tag}>")
    treaty = root.find("Treaty")
    table = treaty.find("Participants/Table")
    if table is None:
        raise StructureChanged(f"{where}: no Treaty/Participants/Table")
    group = table.find("TGroup")
    group = group if group is not None else table
    head = group.find("Thead/Row")
    rows = group.findall("Tbody/Rows/Row")
    if head is None:
        raise StructureChanged(f"{where}: no Thead/Row header in the participants table")
    header = [_xml_text(entry, []) for entry in head.findall("Entry")]
    parsed_rows = []
    for row in rows:
        markers: list[str] = []
        entries = row.findall("Entry")
        cells = [_xml_text(entry, markers) for entry in entries]
        if entries:
            lead = entries[0].text or ""
            cells[0] = lead if clean_text(lead) else cells[0]
        parsed_rows.append(Row(cells, markers))
    notes: list[RawNote] = []
    for section, kind in (("Declarations", "declaration"), ("Objections", "objection"),
                          ("Notifications", "notification")):
        for holder in treaty.findall(section):
            notes += _xml_section_notes(holder, kind)
    for holder in treaty.findall("EndNotes"):
        notes += [RawNote(text, "endnote") for text in _xml_paragraphs(holder)]
    title = next((clean_text("".join(node.itertext())) for path in ("Title", "Header/Title", ".//Title")
                  if (node := treaty.find(path)) is not None), None)
    eif = treaty.find("EIF")
    eif_text = None
    if eif is not None:
        eif_text = " ".join(_xml_text(child, []) + " " + (child.tail or "") for child in eif
                            if isinstance(child.tag, str) and child.tag != "Labeltext") or eif.text
    status = treaty.find("Status")
    signatories = parties = None
    if status is not None:
        signatories = _number(status.findtext("Signatories"))
        parties = _number(status.findtext("Parties"))
        if signatories is None and parties is None:
            match = _STATUS.search(" ".join(status.itertext()))
            signatories, parties = match.groups() if match else (None, None)
    return Parsed(title, header, parsed_rows, notes, eif_text, signatories, parties)


def _number(text: str | None) -> str | None:
    found = re.search(r"\d+", text or "")
    return found.group(0) if found else None


def _xml_paragraphs(holder: etree._Element) -> list[str]:
    paragraphs = [_xml_text(node, None) for node in holder.iter("Text") if node.get("type", "para") == "para"]
    if not paragraphs:
        paragraphs = [_xml_text(child, None) for child in holder if isinstance(child.tag, str)]
    return _join_headings([p for p in paragraphs if clean_text(p)])


def _xml_section_notes(holder: etree._Element, kind: str) -> list[RawNote]:
    notes = []
    for child in holder:
        if not isinstance(child.tag, str) or child.tag == "Labeltext":
            continue
        owner = child.find("Participant")
        participant = clean_name(_xml_text(owner, [])) if owner is not None else None
        for text in _xml_paragraphs(child) if owner is not None else [_xml_text(child, None)]:
            if participant and clean_text(text) == participant:
                continue
            notes.append(RawNote(text, kind, participant or None))
    return notes


def _join_headings(paragraphs: list[str]) -> list[str]:
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


# --- HTML ---------------------------------------------------------------------------------

_SECTIONS = {"declarations": "declaration", "reservations": "declaration",
             "declarations and reservations": "declaration", "reservations and declarations": "declaration",
             "objections": "objection", "notifications": "notification", "end notes": "endnote",
             "endnotes": "endnote", "notes": "endnote"}


def _html_text(node: Tag, markers: list[str] | None) -> str:
    from bs4 import NavigableString, Tag

    parts = []
    for child in node.children:
        if isinstance(child, NavigableString):
            parts.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "sup":
                marker = child.get_text(" ", strip=True)
                if markers is None:
                    parts.append(f" {marker} ")
                else:
                    markers.extend(re.findall(r"\d+", marker))
            elif child.name == "br":
                parts.append(" ")
            else:
                parts.append(" " + _html_text(child, markers) + " ")
    return "".join(parts)


def parse_html(text: str, where: str) -> Parsed:
    """Read a ViewDetails page: the participants table, the status line, EIF and the notes."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    table = soup.find("table", id=re.compile(r"tblgrid$", re.I))
    if table is None:
        raise StructureChanged(f"{where}: no participants table (table#…tblgrid)")
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    if not rows:
        raise StructureChanged(f"{where}: the participants table has no header row")
    header = [_html_text(cell, []) for cell in rows[0].find_all(["td", "th"], recursive=False)]
    parsed_rows = []
    for tr in rows[1:]:
        markers: list[str] = []
        cells = [_html_text(cell, markers) for cell in tr.find_all(["td", "th"], recursive=False)]
        parsed_rows.append(Row(cells, markers))
    names = {clean_name(row.cells[0]) for row in parsed_rows if row.cells}
    page = soup.get_text(" ")
    status = _STATUS.search(page)
    title_node = soup.find(id=re.compile(r"TreatyTitle$|lblTitle$", re.I))
    title = title_node.get_text(" ", strip=True) if title_node else None
    return Parsed(title, header, parsed_rows, _html_notes(soup, names), _html_label(soup, "entry into force"),
                  *(status.groups() if status else (None, None)))


def _html_label(soup: BeautifulSoup, label: str) -> str | None:
    """The text of the cell after a label cell such as "Entry into force:"."""
    for cell in soup.find_all(["td", "th", "dt", "span", "div"]):
        if (clean_text(cell.get_text(" ")) or "").rstrip(": ").lower() == label:
            following = cell.find_next_sibling()
            if following is not None:
                return following.get_text(" ", strip=True)
    return None


def _html_notes(soup: BeautifulSoup, names: set[str]) -> list[RawNote]:
    """The paragraphs that directly follow a section heading (Declarations…, Objections,
    Notifications, End notes) as its siblings; a paragraph that is exactly a participant's
    name files the paragraphs below it under that participant."""
    notes: list[RawNote] = []
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "p", "div", "span", "strong", "b"]):
        kind = _SECTIONS.get((clean_text(heading.get_text(" ")) or "").rstrip(": ").lower())
        if kind is None:
            continue
        participant: str | None = None
        pending: list[str] = []
        for sibling in heading.find_next_siblings():
            if sibling.name != "p":
                break
            text = _html_text(sibling, None)
            if kind != "endnote" and clean_name(text) in names:
                notes += [RawNote(t, kind, participant) for t in _join_headings(pending)]
                pending, participant = [], clean_name(text)
                continue
            pending.append(text)
        notes += [RawNote(t, kind, participant) for t in _join_headings(pending)]
    return notes


# --- the source ---------------------------------------------------------------------------

class UntcSource(Source):
    """One part per treaty: participants, notes (footnotes, end notes, declarations,
    objections, notifications) and the treaty's status, from the MTDSG XML or, when that is
    missing, from the ViewDetails page."""

    kind: ClassVar[str] = "untc"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, "https://treaties.un.org", help="the UN Treaty Collection site"),
        "treaties": Option(_treaties, CORE_TREATIES, help='MTDSG references such as "IV-4", or "all" (chapter index)'),
        "chapters": Option(_chapters, [], help='chapter numbers such as [4], or "all" (chapter index)'),
    }
    defaults: ClassVar[dict[str, Any]] = {"interval": 12 * 3600.0, "host_concurrency": 1, "host_delay": 1.0}
    error_markers: ClassVar[tuple[str, ...]] = ("urgent maintenance and is currently unavailable",)

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        self.titles: dict[str, str | None] = {}

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        if not config.options["treaties"] and not config.options["chapters"]:
            return ['treaties: name at least one treaty (e.g. ["IV-4"]), or set chapters']
        return []

    def refs(self) -> list[str]:
        """The watched references, in config order, without repeats."""
        options = self.config.options
        chosen: list[str] = []
        if options["treaties"] == "all" or options["chapters"] == "all":
            chosen += index_refs(sorted(CHAPTER_INDEX))
        else:
            chosen += options["treaties"] + index_refs(options["chapters"])
        return list(dict.fromkeys(chosen))

    def describe(self) -> str:
        refs = self.refs()
        shown = ", ".join(refs[:6]) + (f" and {len(refs) - 6} more" if len(refs) > 6 else "")
        return f"{shown} at {self.config.options['base_url']}"

    def xml_url(self, ref: str) -> str:
        chapter = chapter_of(ref)
        volume = "I" if chapter <= LAST_CHAPTER_OF_VOLUME_I else "II"
        base = self.config.options["base_url"]
        return f"{base}/doc/Publication/MTDSG/Volume%20{volume}/Chapter%20{ROMAN[chapter]}/{ref}.en.xml"

    def page_url(self, ref: str) -> str:
        base = self.config.options["base_url"]
        return f"{base}/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={ref}&chapter={chapter_of(ref)}&clang=_en"

    async def collect(self, ctx: SourceContext) -> list[Part]:
        # One treaty that fails (an odd cell, a 500) does not hold back the others.
        return [part for ref in self.refs() for part in await part_or_error(ctx, ref, self.collect_treaty(ctx, ref))]

    async def collect_treaty(self, ctx: SourceContext, ref: str) -> Part:
        url = self.xml_url(ref)
        document = await ctx.get(url, accept=(404,), encoding="iso-8859-1")
        if document.status == 404:
            url = self.page_url(ref)
            document = await ctx.get(url)
            parser = parse_html
        else:
            parser = parse_xml
        if not document.changed:
            return Part(ref, records=None)
        assert document.text is not None
        parsed = parser(document.text, f"{ref} ({url})")
        records = build_records(ref, parsed, f"{ref} ({url})", self.page_url(ref), None)
        self.titles[ref] = records[0].title
        # A treaty newly added to `treaties` starts silently: its table is history.
        return Part(ref, records=records, baseline_if_new=True)

    # --- events ---------------------------------------------------------------------------

    def events(self, change: Change, detected_at: str) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        ref, _, rest = record.key.partition(":")
        what = rest.partition(":")[0]
        treaty = Treaty(id=ref, title=record.title or self.titles.get(ref), url=self.page_url(ref))
        base = dict(source=self.name, title=treaty.title or ref, url=treaty.url, treaty=treaty,
                    detected_at=detected_at)
        if what == "participant":
            return self._participant_events(change, base)
        if what == "note":
            if change.kind == "added":
                return self._note_events(change, ref, base)
            # A note's text is its identity; a changed text here is a reworded withdrawal note.
            # Who it is filed under, or whether its row was in this fetch, is no news.
            return self._changed(change, base, {"text": change.fields["text"]}) if "text" in change.fields else []
        if what == "treaty":
            return self._treaty_events(change, base)
        return self._changed(change, base)

    def _participant_events(self, change: Change, base: dict[str, Any]) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        name = record.fields.get("participant")
        if change.kind == "removed":
            return [Event(id=event_id(self.name, change.key, "record_removed", record.fingerprint()),
                          type="record_removed", key=change.key, subject=name,
                          summary=f"{name} is no longer listed", details={"fields": record.fields}, **base)]
        old = change.old.fields if change.old else {}
        new = record.fields
        events: list[Event] = []
        signature = _later(old.get("signature"), new.get("signature"))
        if signature:
            events.append(self._action(change.key, name, "signature", "signature", signature, base))
        consent = _later(old.get("consent"), new.get("consent"))
        if consent:
            events.append(self._action(change.key, name, "ratification", new.get("consent_action") or
                                       "ratification", consent, base))
        before = set(filter(None, (old.get("history") or "").split("; ")))
        for entry in filter(None, (new.get("history") or "").split("; ")):
            if entry in before:
                continue
            role, date, action = entry.split(" ", 2)
            event_type = "signature" if role == "signature" else "ratification"
            events.append(self._action(change.key, name, event_type, action, date, base))
        explained = {"history"} | {name for name in ("signature", "consent")
                                   if any(e.date == new.get(name) for e in events)}
        if "consent" in explained:
            explained.add("consent_action")
        rest = {k: v for k, v in change.fields.items() if k not in ("title", "url") and k not in explained}
        if change.kind == "changed" and rest:
            events += self._changed(change, base, rest)
        return events

    def _action(self, key: str, name: str | None, event_type: str, action: str, date: str,
                base: dict[str, Any]) -> Event:
        words = action.replace("_", " ")
        return Event(id=event_id(self.name, key, event_type, date), type=event_type, key=key, subject=name,
                     summary=f"{name}: {words} on {date} ({base['title']})", date=date,
                     details={"action": action}, **base)

    def _note_events(self, change: Change, ref: str, base: dict[str, Any]) -> list[Event]:
        record = change.new
        assert record is not None
        text = record.fields.get("text") or ""
        kind = record.fields.get("kind")
        participant = record.fields.get("participant")
        details = {"kind": kind, "text": text}
        if is_withdrawal(text):
            notified, effective = withdrawal_dates(text)
            key = f"{ref}:participant:{participant}" if participant else change.key
            return [Event(id=event_id(self.name, key, "denunciation", notified), type="denunciation",
                          key=change.key, subject=participant, date=notified, effective_date=effective,
                          summary=f"{participant or 'A participant'}: withdrawal notified on {notified or '?'}"
                                  f", effective {effective or '?'} ({base['title']})",
                          details={**details, "action": "withdrawal"}, **base)]
        if kind in ("declaration", "objection") or re.search(r"\breservations?\b|\bdeclarations?\b|"
                                                              r"\bobjections?\b", text, re.I):
            return [Event(id=event_id(self.name, change.key, "reservation"), type="reservation",
                          key=change.key, subject=participant, date=first_date(text),
                          summary=f"{participant or 'Note'}: new {kind} ({base['title']})",
                          details={**details, "action": kind}, **base)]
        return [Event(id=event_id(self.name, change.key, "record_changed", "added"), type="record_changed",
                      key=change.key, subject=participant, summary=f"new {kind} ({base['title']})",
                      details=details, **base)]

    def _treaty_events(self, change: Change, base: dict[str, Any]) -> list[Event]:
        if change.kind != "changed":
            return []
        eif = change.fields.get("entry_into_force")
        events = []
        if eif and eif[1] and not (eif[0] and first_date(eif[0])):
            date = first_date(eif[1])
            events.append(Event(id=event_id(self.name, change.key, "entry_into_force", date or eif[1]),
                                type="entry_into_force", key=change.key, date=date,
                                summary=f"entry into force: {eif[1]}", details={"text": eif[1]}, **base))
        rest = {k: v for k, v in change.fields.items()
                if k not in ("signatories", "parties", "title", "url") and not (k == "entry_into_force" and events)}
        return events + (self._changed(change, base, rest) if rest else [])

    def _changed(self, change: Change, base: dict[str, Any],
                 fields: dict[str, tuple[str | None, str | None]] | None = None) -> list[Event]:
        fields = change.fields if fields is None else fields
        fields = {k: v for k, v in fields.items() if k not in ("title", "url")}
        if not fields:
            return []
        record = change.new or change.old
        assert record is not None
        identity = sorted((name, old, new) for name, (old, new) in fields.items())
        return [Event(id=event_id(self.name, change.key, "record_changed", identity), type="record_changed",
                      key=change.key, subject=record.fields.get("participant"),
                      details={"changed": {k: {"old": a, "new": b} for k, (a, b) in fields.items()}}, **base)]


def _later(old: str | None, new: str | None) -> str | None:
    """The new date when it is a new action: none before, or later than before (a corrected
    earlier date is not a new action)."""
    if new and (not old or new > old):
        return new
    return None
