"""Keyword classification of generic records into treaty-action event types (EN/RU/FR)."""

from __future__ import annotations

import re

# Order matters: a withdrawal of ratification is a denunciation, not a ratification, and
# "entry into force of the ratification" is an entry into force.
_PATTERNS: list[tuple[str, str | None, re.Pattern[str]]] = [
    ("denunciation", None, re.compile(
        r"denounc|denunciat|dénonc|d[ée]nonciation|withdr[ae]w|retrait|денонс|выход\w*\s+из|"
        r"отзыв\w*\s+ратификац|termination|прекращени\w*\s+действи", re.I)),
    ("suspension", None, re.compile(r"suspen|приостановл", re.I)),
    ("entry_into_force", None, re.compile(
        r"entry\s+into\s+force|entered\s+into\s+force|entr[ée]e\s+en\s+vigueur|вступ\w*\s+в\s+(?:законную\s+)?сил",
        re.I)),
    ("ratification", "accession", re.compile(r"accession|adh[ée]sion|присоедин", re.I)),
    ("ratification", "acceptance", re.compile(r"\bacceptance\b|acceptation", re.I)),
    ("ratification", "approval", re.compile(r"\bapproval\b|approbation", re.I)),
    ("ratification", "succession", re.compile(r"\bsuccession\b|правопреемств", re.I)),
    ("ratification", "ratification", re.compile(r"ratif|ратифи", re.I)),
    ("reservation", None, re.compile(r"reservation|r[ée]serve|оговорк|declaration\b|objection", re.I)),
    ("signature", None, re.compile(r"signature|\bsigned\b|sign[ée]e?\b|подписан", re.I)),
]


def classify(text: str | None) -> tuple[str | None, str | None]:
    """Return (event type, precise action) for a text, or (None, None) when nothing matches."""
    if not text:
        return None, None
    for event_type, action, pattern in _PATTERNS:
        if pattern.search(text):
            return event_type, action or event_type
    return None, None
