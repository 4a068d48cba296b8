"""UN Treaty Collection notes: who withdrew from or denounced a treaty, and when."""

from __future__ import annotations

import re

from monitor.records import clean_text
from monitor.sources.untc.cells import MONTH, first_date, iso_date


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
    r"\bretrait\s+(?:du\s+|de\s+la\s+|de\s+l['’]\s*|des\s+)"
    r"(?:Pacte|Convention|Accord|Protocole|Statut|Traité)", re.I)
_NOT_WITHDRAWAL = re.compile(
    r"\brevo(?:ke|ked|cation)\b|\brescind\w*|\bwithdr[ae]w\w*\s+(?:of\s+)?(?:its|the|their|this|that)\s+"
    r"(?:notification|reservation|declaration|objection)|\bwithdrawal\s+of\s+(?:its\s+|the\s+)?"
    r"(?:notification|reservations?|declarations?|objections?)\b|\bdenunciation\s+of\s+the\s+notification\b",
    re.I)
_EFFECT = re.compile(
    rf"(?:(?:took|take|takes|taking|taken)\s+effect|effective|with\s+effect|prend(?:ra)?\s+effet|"
    rf"a\s+pris\s+effet|prenant\s+effet)\s+(?:on|from|as\s+(?:of|from)|le|à\s+compter\s+du)?\s*"
    rf"(\d{{1,2}})(?:er)?\s+({MONTH})\.?\s+(\d{{4}})", re.I)
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
