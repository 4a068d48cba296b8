"""Keyword classification of generic records into treaty-action event types (EN/RU/FR).

A text is a treaty action only when it names an action (ratified, accession, denunciation …)
AND a treaty (treaty, convention, agreement, protocol … or their Russian and French forms).
"Law on the withdrawal of troops" names no treaty; "Signature campaign" neither. A source
that watches one treaty (its `treaty` option is set) supplies the treaty itself.
"""

from __future__ import annotations

import re
from functools import cache

TREATY_NOUN = (
    r"\b(?:treat(?:y|ies)|conventions?|agreements?|protocols?|covenants?|statutes?|charters?|amendments?|"
    r"accords?|pacts?|"  # English; French shares convention, accord, protocole, pacte, statut …
    r"trait[ée]s?|protocoles?|pactes?|statuts?|chartes?|amendements?|"
    r"договор\w*|конвенци\w*|соглашени\w*|протокол\w*|пакт\w*|статут\w*|харти\w*|поправк\w*|"
    r"устав(?:а|у|ом|е)?)\b")
"""Words that name a treaty, inflected (Russian endings are open); matched ignoring case."""

_WITHDRAW = r"(?:withdr[ae]w\w*|retir\w*|retrait|снят\w*|отзыв\w*|отозва\w*)"
_RESERVATION = r"(?:reservations?|(?<!sous )r[ée]serves?\b|оговор(?:ок|к\w*)|objections?\b|" \
               r"interpretative declarations?|d[ée]clarations? interpr[ée]tatives?)"

RULES: list[tuple[str, str, str]] = [
    # (event type, precise action, pattern). The first rule that matches wins, so the
    # narrow phrasings come first: withdrawing a reservation is not a denunciation.
    ("reservation", "reservation_withdrawal",
     rf"{_WITHDRAW}[^.;]{{0,40}}{_RESERVATION}|{_RESERVATION}[^.;]{{0,20}}(?:withdrawn|retir[ée]e?s?)"),
    ("reservation", "reservation", _RESERVATION),
    ("denunciation", "denunciation",
     r"denounc\w*|denunciat\w*|d[ée]non[cç]\w*|денонс\w*|"
     r"отзыв\w*\s+ратификац\w*|прекращени\w*\s+действи\w*|termination\s+of"),
    ("denunciation", "withdrawal",
     r"withdr[ae]w\w*|\bexit(?:s|ed|ing)?\s+(?:from|the)\b|\b(?:leav(?:e|es|ing)|left|quit(?:s|ting)?)\s+the\b|"
     r"\bretrait\s+(?:du|de|des|d')|se\s+retir\w*|\bretir\w*\s+(?:du|de|des)\b|"
     r"\bвы(?:ход\w*|йти|шл\w*|ш[её]л)(?:\s+\w+){0,3}?\s+из\b"),
    ("suspension", "suspension", r"suspen\w*|приостановл\w*"),
    ("entry_into_force", "entry_into_force",
     r"entry\s+into\s+force|entered\s+into\s+force|enters\s+into\s+force|entr[ée]e\s+en\s+vigueur|"
     r"вступ\w*\s+в\s+(?:законную\s+)?сил\w*"),
    ("ratification", "accession",
     r"accession|\bacced(?:e|es|ed|ing)\b|adh[ée]sion|\badh[èé]r\w*|присоедин\w*"),
    ("ratification", "acceptance", r"\bacceptance\b|acceptation"),
    ("ratification", "approval", r"\bapproval\b|approbation"),
    ("ratification", "succession", r"\bsuccession\b|правопреемств\w*"),
    ("ratification", "ratification", r"(?<!subject to )(?<!sous réserve de )ratif\w*|ратифи\w*"),
    ("signature", "signature", r"signature|\bsign(?:s|ed|ing)\b|\bsign[ée]e?s?\b|подписа\w*"),
]
"""The classifier's rules, one readable table."""


@cache
def _compiled() -> tuple[re.Pattern[str], list[tuple[str, str, re.Pattern[str]]]]:
    """The treaty noun and the rules, compiled when a text is first classified (a cycle of
    unchanged pages classifies nothing)."""
    return (re.compile(TREATY_NOUN, re.I),
            [(event_type, action, re.compile(pattern, re.I)) for event_type, action, pattern in RULES])


def classify(text: str | None, treaty_known: bool = False) -> tuple[str | None, str | None]:
    """Return (event type, precise action) for a text, or (None, None) when it names no
    treaty action. Unless `treaty_known`, the text must also name a treaty."""
    if not text:
        return None, None
    if not treaty_known and not _compiled()[0].search(text):
        return None, None
    return action_words(text)


def action_words(text: str | None) -> tuple[str | None, str | None]:
    """The action a text names, treaty or not: for a chart column named "Ratification"."""
    if not text:
        return None, None
    for event_type, action, pattern in _compiled()[1]:
        if pattern.search(text):
            return event_type, action
    return None, None
