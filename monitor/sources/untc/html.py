"""UN Treaty Collection ViewDetails pages (the fallback when a treaty has no MTDSG XML) as a parsed treaty."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from monitor.errors import StructureChanged
from monitor.records import clean_text
from monitor.sources.untc.cells import DATE, clean_name
from monitor.sources.untc.records import Parsed, RawNote, Row
from monitor.sources.untc.xml import join_headings

if TYPE_CHECKING:  # bs4 is loaded only when the HTML fallback is used
    from bs4 import BeautifulSoup, Tag

SECTIONS = {"declarations": "declaration", "reservations": "declaration",
            "declarations and reservations": "declaration", "reservations and declarations": "declaration",
            "objections": "objection", "notifications": "notification", "end notes": "endnote",
            "endnotes": "endnote", "notes": "endnote", "territorial application": "territorial_application",
            "territorial applications": "territorial_application"}
_GRID_HEADER = re.compile(r"signature|ratification|accession|acceptance|approval|succession", re.I)
_SIGNATORIES = re.compile(r"Signatories\s*:\s*(\d+)", re.I)
_PARTIES = re.compile(r"Parties\s*:\s*(\d+)", re.I)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
NOTES_TABLE = re.compile(r"dgNotesAll_ctl03_divNotesAll$")
"""The element holding the notes table whose rows are withdrawals (participant, …, date of effect)."""


def html_text(node: Tag, markers: list[str] | None) -> str:
    """A node's text; `<sup>` markers go to `markers` (or stay inline as numbers when None)."""
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
                parts.append(" " + html_text(child, markers) + " ")
    return "".join(parts)


def parse_html(text: str, where: str) -> Parsed:
    """Read a ViewDetails page: header values by element id, the participants grid, the notes."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    table = _grid(soup, where)
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    header = [html_text(cell, []) for cell in rows[0].find_all(["td", "th"], recursive=False)]
    parsed_rows = []
    for tr in rows[1:]:
        markers: list[str] = []
        cells = [html_text(cell, markers) for cell in tr.find_all(["td", "th"], recursive=False)]
        parsed_rows.append(Row(cells, markers))
    names = {clean_name(row.cells[0]) for row in parsed_rows if row.cells}
    status = _by_id(soup, r"rptStatus_ctl00_tcText") or _label(soup, "status") or soup.get_text(" ")
    signatories, parties = _SIGNATORIES.search(status), _PARTIES.search(status)
    notes = _notes(soup, names) + _notes_table(soup)
    return Parsed(_by_id(soup, r"rptTreaty_ctl00_tcTreaty|TreatyTitle|lblTitle"), header, parsed_rows, notes,
                  _by_id(soup, r"rptEIF_ctl00_tcText") or _label(soup, "entry into force"),
                  signatories.group(1) if signatories else None, parties.group(1) if parties else None,
                  _by_id(soup, r"rptRegistration_ctl00_tcText"), _by_id(soup, r"rptTreaty_ctl00_tcText"))


def _grid(soup: BeautifulSoup, where: str) -> Tag:
    """The participants grid: the last table in or at `…tblgrid` whose header starts with
    "Participant" and names signatures or consents (a territorial table may come first)."""
    holder = soup.find(id=re.compile(r"tblgrid$", re.I))
    if holder is None:
        raise StructureChanged(f"{where}: no participants table (table#…tblgrid)")
    tables = ([holder] if holder.name == "table" else []) + holder.find_all("table")
    grids = []
    for table in tables:
        first = next((tr for tr in table.find_all("tr") if tr.find_parent("table") is table), None)
        cells = [clean_text(html_text(c, [])) or "" for c in first.find_all(["td", "th"], recursive=False)] \
            if first is not None else []
        if cells and "participant" in cells[0].lower() and _GRID_HEADER.search(" ".join(cells[1:])):
            grids.append(table)
    if not grids:
        raise StructureChanged(f"{where}: the participants table (…tblgrid) has no Participant | Signature | "
                               "Ratification… header row")
    return grids[-1]


def _by_id(soup: BeautifulSoup, suffix: str) -> str | None:
    node = soup.find(id=re.compile(rf"(?:{suffix})$", re.I))
    return clean_text(html_text(node, [])) if node is not None else None


def _label(soup: BeautifulSoup, label: str) -> str | None:
    """The text of the cell after a label cell such as "Entry into force:"."""
    for cell in soup.find_all(["td", "th", "dt", "span", "div"]):
        if (clean_text(cell.get_text(" ")) or "").rstrip(": ").lower() == label:
            following = cell.find_next_sibling()
            if following is not None:
                return following.get_text(" ", strip=True)
    return None


def _notes(soup: BeautifulSoup, names: set[str]) -> list[RawNote]:
    """The paragraphs that directly follow a section heading (Declarations…, Objections,
    Notifications, End notes) as its siblings; a paragraph that is exactly a participant's
    name files the paragraphs below it under that participant."""
    notes: list[RawNote] = []
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "p", "div", "span", "strong", "b"]):
        kind = SECTIONS.get((clean_text(heading.get_text(" ")) or "").rstrip(": ").lower())
        if kind is None:
            continue
        participant: str | None = None
        pending: list[str] = []
        for sibling in heading.find_next_siblings():
            if sibling.name != "p":
                break
            text = html_text(sibling, None)
            if kind != "endnote" and clean_name(text) in names:
                notes += [RawNote(t, kind, participant) for t in join_headings(pending)]
                pending, participant = [], clean_name(text)
                continue
            pending.append(text)
        notes += [RawNote(t, kind, participant) for t in join_headings(pending)]
    return notes


def _notes_table(soup: BeautifulSoup) -> list[RawNote]:
    """Withdrawals kept as rows of the notes table (the Rome Statute's): participant first, the
    date of effect last, the date of notification (when given) between them."""
    notes = []
    for holder in soup.find_all(id=NOTES_TABLE):
        for tr in holder.find_all("tr"):
            cells = [clean_text(html_text(td, [])) or "" for td in tr.find_all("td", recursive=False)]
            dates = [_date(c) for c in cells[1:]]
            if len(cells) < 2 or not clean_name(cells[0]) or not dates[-1]:
                continue  # a header row or an empty one
            effect = dates[-1]
            notified = next((d for d in dates[:-1] if d), effect)
            notes.append(RawNote(f"{clean_name(cells[0])}: withdrawal from the treaty notified on {notified}, "
                                 f"with effect from {effect}.", "withdrawal"))
    return notes


def _date(text: str) -> str | None:
    """The cell's date as written ("27 Oct 2017"), or dd/mm/yyyy as "27 October 2017"."""
    written = DATE.search(" ".join(text.split()))
    if written:
        return written.group(0)
    match = _NUMERIC_DATE.search(text)
    day, month, year = (int(g) for g in match.groups()) if match else (0, 0, 0)
    return f"{day} {MONTH_NAMES[month - 1]} {year}" if 1 <= month <= 12 else None
