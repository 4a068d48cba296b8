"""UN Treaty Collection cells: footnote markers, participant names, dates and header columns."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from monitor.errors import StructureChanged
from monitor.records import clean_text
from monitor.sources.dates import MONTH_PATTERN, day_month_year

MONTH = MONTH_PATTERN
DATE = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({MONTH})\.?\s+(\d{{4}})\b", re.I)
_CELL_DATE = re.compile(rf"^(\d{{1,2}})\s+((?i:{MONTH}))\.?\s+(\d{{4}})(?:\s*\b(AA|A|a|d|c)\b)?(?P<rest>.*)$")
ACTIONS = {"": "ratification", "a": "accession", "d": "succession", "A": "acceptance", "AA": "approval",
           "c": "formal_confirmation"}
FOOTNOTES_ONLY = re.compile(r"^[\s,\d]*$")

# Footnote markers, in every form the UN uses: markup kept as text inside the XML's character
# data ("Ireland<superscript>5,6</superscript>", verified), the same markup still escaped once
# more, `<sup>` in HTML, and the plain number runs that remain after tags are stripped
# ("North Macedonia 4 ,", "… Ireland 6 , 18 , 19 ,").
_MARKUP_MARKER = re.compile(r"<\s*(superscript|sup)\b[^>]*>(?P<inner>.*?)<\s*/\s*(?:superscript|sup)\s*>",
                            re.I | re.S)
_ANY_TAG = re.compile(r"<\s*/?\s*[A-Za-z][\w:-]*(?:\s[^<>]*)?/?\s*>")
_TRAILING_NUMBERS = re.compile(r"(?:[\s,]*\d+)+[\s,]*$")


def _unescape(text: str) -> str:
    """Markup escaped once more than the parser undid ("&lt;superscript&gt;") becomes markup."""
    return html.unescape(text) if "&" in text else text


def split_markers(text: str) -> tuple[str, list[str]]:
    """A participant cell without its footnote markers, and the marker numbers in order:
    "United Kingdom …Ireland<superscript>5,6</superscript>" -> ("United Kingdom …Ireland", ["5", "6"])."""
    markers: list[str] = []

    def take(match: re.Match[str]) -> str:
        markers.extend(re.findall(r"\d+", match.group("inner")))
        return " "

    text = _ANY_TAG.sub(" ", _MARKUP_MARKER.sub(take, _unescape(text or "")))
    glued = _TRAILING_NUMBERS.search(text)
    if glued and glued.start() > 0:
        markers.extend(re.findall(r"\d+", glued.group(0)))
        text = text[:glued.start()]
    return clean_text(text) or "", markers


def clean_name(text: str) -> str:
    """A participant's name without footnote markers ("Denmark 1, 2" -> "Denmark")."""
    return split_markers(text)[0]


def inline_markers(text: str) -> str:
    """A note's or cell's text with markup markers as plain numbers ("<superscript>1</superscript> On …"
    -> " 1  On …"): the same text whether the marker came as markup text or as a child element."""
    text = _MARKUP_MARKER.sub(lambda m: f" {clean_text(m.group('inner')) or ''} ", _unescape(text or ""))
    return _ANY_TAG.sub(" ", text)


def strip_markers(text: str) -> str:
    """A title's or label's text without marker markup, numbers of its own kept ("… of 1958")."""
    return _ANY_TAG.sub(" ", _MARKUP_MARKER.sub(" ", _unescape(text or "")))


iso_date = day_month_year
"""A UN cell's "5 Feb 2020" (or "5 févr. 2020") as ISO: the one reading of a month's name."""


def first_date(text: str) -> str | None:
    match = DATE.search(text)
    return iso_date(*match.groups()) if match else None


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

    @property
    def current(self) -> Action | None:
        """The action the cell stands for: its main one, or, when the cell holds only bracketed
        actions ("[20 Jan 2021 A]" after a re-acceptance), the latest of those."""
        if self.main is not None:
            return self.main
        return max(self.history, key=lambda a: a.date) if self.history else None


def parse_cell(text: str, where: str) -> Cell:
    """Parse "29 May\\t 2013 a", "3 Sep 2016 A [20 Jan 2021 A]", "[20 Jan 2021 A]" or ""
    (footnote markers removed)."""
    text = clean_text(inline_markers(text)) or ""
    brackets = re.findall(r"\[([^\]]*)\]", text)
    main = clean_text(re.sub(r"\[[^\]]*\]", " ", text)) or ""
    cell = Cell()
    if main and not FOOTNOTES_ONLY.match(main):
        cell.main = _one_action(main, where)
    for inner in brackets:
        inner = clean_text(inner) or ""
        if inner and not FOOTNOTES_ONLY.match(inner):
            cell.history.append(_one_action(inner, where))
    return cell


def _one_action(text: str, where: str) -> Action:
    match = _CELL_DATE.match(text)
    date = iso_date(*match.groups()[:3]) if match else None
    if not match or date is None or not FOOTNOTES_ONLY.match(match.group("rest")):
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
    shown = [clean_text(inline_markers(h)) for h in header]
    for index, text in enumerate(clean_text(FOOTNOTES_TAIL.sub("", t or "")) or "" for t in shown):
        if _HEADER_WORDS.sub("", text):
            raise StructureChanged(f"{where}: unknown participants-table column {text!r} (header: {shown})")
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
            raise StructureChanged(f"{where}: unknown participants-table column {text!r} (header: {shown})")
    if roles[:1] != ["participant"] or "consent" not in roles and "signature" not in roles:
        raise StructureChanged(f"{where}: the participants table header {shown!r} is not "
                               "Participant | Signature | Ratification…")
    return roles


FOOTNOTES_TAIL = re.compile(r"(?<=\D)[\s,\d]+$")
"""Marker numbers left at the end of a header text."""
