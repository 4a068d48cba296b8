"""A UN depositary notification (C.N.) PDF read: its reference, treaty, participant, action and dates."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from monitor.errors import SourceError, StructureChanged
from monitor.records import clean_text
from monitor.sources.untc.cells import DATE, iso_date
from monitor.sources.untc.index import ROMAN
from monitor.sources.untc.withdrawals import withdrawal_dates

_REFERENCE = re.compile(r"C\.\s?N\.\s?(\d+)\.\s?(\d{4})\.\s?TREATIES-\s?([IVXL]+)\.\s?(\d+)((?:\.\s?[a-z])*)\b")
_HEADING = re.compile(r"^(?P<who>[^:a-z]{2,}?)\s*:\s*(?P<what>[^a-z]+)$")
_EFFECTED = re.compile(r"(?:above\s+action\s+was\s+effected|action\s+(?:susmentionnée|susmentionnee)\s+a\s+été\s+"
                       r"effectuée|action\s+ci-dessus\s+a\s+été\s+effectuée)\s+(?:on|le)\s+", re.I)

# The action in a C.N.'s title, capitals with accents folded. The narrow phrasings come first:
# withdrawing a reservation, an objection or a notification of withdrawal (a state staying in),
# or proposing amendments, is no denunciation. (pattern, event type, action)
VOCABULARY: list[tuple[str, str, str]] = [
    (r"WITHDRAWAL OF (?:THE |ITS )?NOTIFICATION OF WITHDRAWAL|RETRAIT DE (?:LA )?NOTIFICATION DE RETRAIT",
     "notification", "withdrawal_of_notification_of_withdrawal"),
    (r"WITHDRAWAL OF (?:THE |ITS |A |PARTIAL )*RESERVATIONS?|RETRAIT (?:PARTIEL )?(?:DE LA |DES |DE |D')RESERVES?",
     "reservation", "withdrawal_of_reservation"),
    (r"WITHDRAWAL OF (?:THE |ITS |AN )*OBJECTIONS?|RETRAIT (?:DE L'|DES |D')OBJECTIONS?",
     "reservation", "withdrawal_of_objection"),
    (r"WITHDRAWAL OF (?:THE |ITS |A )*DECLARATIONS?|RETRAIT (?:DE LA |DES |DE )DECLARATIONS?",
     "reservation", "withdrawal_of_declaration"),
    (r"WITHDRAWAL OF |RETRAIT D[E']", "notification", "withdrawal_of_communication"),
    (r"PROPOSALS? OF AMENDMENTS?|PROPOSALS? TO AMEND|PROPOSITIONS? D'AMENDEMENTS?", "notification",
     "proposal_of_amendments"),
    (r"DENUNCIATION|DENONCIATION", "denunciation", "denunciation"),
    (r"(?:NOTIFICATION OF )?WITHDRAWAL\b|(?:NOTIFICATION DE )?RETRAIT\b", "denunciation", "withdrawal"),
    (r"RATIFICATION", "ratification", "ratification"),
    (r"ACCESSION|ADHESION", "ratification", "accession"),
    (r"ACCEPTANCE|ACCEPTATION", "ratification", "acceptance"),
    (r"APPROVAL|APPROBATION", "ratification", "approval"),
    (r"SUCCESSION", "ratification", "succession"),
    (r"FORMAL CONFIRMATION|CONFIRMATION FORMELLE", "ratification", "formal_confirmation"),
    (r"SIGNATURE", "signature", "signature"),
    (r"RESERVATIONS?|RESERVES?", "reservation", "reservation"),
    (r"DECLARATIONS?", "reservation", "declaration"),
    (r"OBJECTIONS?", "reservation", "objection"),
]
_VOCABULARY = [(re.compile(rf"^(?:{pattern})"), event_type, action) for pattern, event_type, action in VOCABULARY]


@dataclass(frozen=True)
class Notification:
    """What one C.N. says. `treaty` is the MTDSG reference ("XXVII-7-d"); `participant` and
    `heading` are as printed (capitals); `event_type` and `action` come from the heading."""

    reference: str
    number: int
    year: int
    treaty: str
    participant: str | None
    heading: str
    event_type: str
    action: str
    date: str | None
    effective_date: str | None
    treaty_title: str | None


def fold(text: str) -> str:
    """Capitals without accents and with plain apostrophes and spaces, for matching."""
    plain = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).upper().split())


def classify_heading(what: str) -> tuple[str, str]:
    """(event type, action) of a C.N. heading's action; anything unknown is a `notification`."""
    folded = fold(what)
    for pattern, event_type, action in _VOCABULARY:
        if pattern.match(folded):
            return event_type, action
    return "notification", "notification"


def pdf_text(content: bytes, where: str) -> str:
    """The text of a PDF, page after page (pypdf); a file that is not a readable PDF fails."""
    if not content.startswith(b"%PDF-"):
        snippet = " ".join(content[:60].decode("latin-1").split())
        raise SourceError(f"{where}: not a PDF (starts with {snippet!r})")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise StructureChanged(f"{where}: unreadable PDF ({exc})") from None


def treaty_ref(chapter: str, number: str, letters: str) -> str:
    """"XXVII", "7", ".d" -> "XXVII-7-d" (the MTDSG reference the status files use)."""
    if chapter not in ROMAN[1:]:
        raise StructureChanged(f"unknown chapter {chapter!r} in a C.N. reference")
    return "-".join([chapter, number, *re.findall(r"[a-z]", letters)])


def parse_notification(text: str, where: str) -> Notification:
    """A C.N.'s text read: the reference line names the treaty, the capitals heading
    "PARTICIPANT: ACTION" (over one or more lines) the participant and action, the body the date."""
    reference = _REFERENCE.search(text)
    if not reference:
        raise StructureChanged(f"{where}: no reference line C.N.n.YYYY.TREATIES-… found in the notification")
    number, year, chapter, no, letters = reference.groups()
    lines = [clean_text(line) or "" for line in text[reference.end():].splitlines()]
    heading, who, what, title, start = "", None, "", [], 0
    for index, line in enumerate(lines):
        found = _HEADING.match(line)
        if found and not found.group("who").strip().isdigit():
            who, what = found.group("who"), found.group("what")
            start = index + 1
            for more in lines[index + 1:]:  # a heading wrapped over lines: the capitals go on
                if not more or re.search(r"[a-z]", more):
                    break
                what += " " + more
                start += 1
            heading = f"{who}: {what}"
            break
        if line and not re.search(r"[a-z]", line) and not line.startswith("(") and not re.search(r"\d", line):
            title.append(line)
    if not heading:  # no participant: e.g. "ENTRY INTO FORCE", or a heading of its own
        heading = title[-1] if title else ""
        event_type, action = ("entry_into_force", "entry_into_force") if "ENTRY INTO FORCE" in fold(heading) \
            else ("notification", "notification")
    else:
        event_type, action = classify_heading(what)
    body = " ".join(lines[start:])
    effected = _EFFECTED.search(body)
    date = None
    if effected and (found_date := DATE.match(body, effected.end())):
        date = iso_date(*found_date.groups())
    effective = None
    if event_type == "denunciation":
        notified, effective = withdrawal_dates(body)
        date = date or notified
    return Notification(
        reference=f"C.N.{number}.{year}.TREATIES-{chapter}.{no}{letters.replace(' ', '')}", number=int(number),
        year=int(year), treaty=treaty_ref(chapter, no, letters), participant=clean_text(who) if who else None,
        heading=clean_text(heading) or "", event_type=event_type, action=action, date=date,
        effective_date=effective, treaty_title=" ".join(title) or None)
