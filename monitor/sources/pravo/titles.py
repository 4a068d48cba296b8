"""Reading a `pravo` title: the act's own title, and the treaty action it starts with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.records import clean_text

_HEADER = re.compile(r"^(?P<type>.+?)\s+от\s+(?P<date>\d{1,2}\.\d{1,2}\.\d{4})(?:\s*г\.?)?"
                     r"(?:(?:\s+[^\s№\"«“„]+)?\s*№\s*(?P<number>[^\s\"«“„]+))?\s*(?P<rest>.*)$", re.S)
_QUOTES = "\"“”„«»"

# --- titles and classification -------------------------------------------------------------

@dataclass(frozen=True)
class TreatyAct:
    """What a title says: the event type, the precise action, and the treaty's (Russian) name."""

    type: str
    action: str
    treaty: str


# (title start, event type, action, the rest must name a treaty). Order matters: the more
# specific start first ("об отзыве ратификации" before "о ратификации").
_ACTIONS: list[tuple[str, str, str, bool]] = [
    (r"об\s+отзыве\s+(?:российской\s+федерацией\s+)?ратификации", "denunciation", "withdrawal_of_ratification", False),
    (r"о\s+ратифи(?:кации|цировании)", "ratification", "ratification", False),
    (r"о\s+денонс(?:ации|ировании)", "denunciation", "denunciation", False),
    (r"о\s+прекращении\s+временного\s+применения", "denunciation", "termination_of_provisional_application", True),
    (r"о\s+прекращении\s+(?:российской\s+федерацией\s+)?участия", "denunciation", "withdrawal", True),
    (r"о\s+прекращении", "denunciation", "termination", True),
    (r"о\s+выходе", "denunciation", "withdrawal", True),
    (r"о\s+приостанов(?:лении|ке)", "suspension", "suspension", True),
    (r"о\s+возобновлении", "entry_into_force", "resumption", True),
    (r"о\s+присоединении", "ratification", "accession", True),
    (r"о\s+временном\s+применении", "entry_into_force", "provisional_application", True),
    (r"о\s+вступлении\s+в\s+силу", "entry_into_force", "entry_into_force", True),
    (r"о\s+подписании", "signature", "signature", True),
]
# Words between the action and the treaty's name ("О денонсации Российской Федерацией …",
# "О прекращении действия в отношении Российской Федерации …", "О выходе … из …").
_FILLER = (r"(?:\s+(?:российской\s+федераци(?:ей|и)|в\s+отношении\s+российской\s+федерации|"
           r"от\s+имени\s+российской\s+федерации|действия|выполнения|участия|применения|из|к|в))*")
_ACTION_PATTERNS = [(re.compile(rf"^{start}{_FILLER}\s+(?=\S)", re.I), event_type, action, needs_treaty)
                    for start, event_type, action, needs_treaty in _ACTIONS]
_TREATY_WORD = re.compile(r"договор|соглашени|конвенци|протокол|пакт|устав|харти|меморандум|статут|"
                          r"поправ|международн|трактат", re.I)
_TRAILING_SCOPE = re.compile(r"\s+в\s+отношении\s+российской\s+федерации\s*$", re.I)


def act_header(text: str) -> re.Match[str] | None:
    """Type, date and number at the start of a complexName ("Федеральный закон от … № …"),
    never a title that merely cites an act ("О внесении изменений в … от … № …")."""
    match = _HEADER.match(text)
    if match and re.match(r"^(?:о|об|про)\s", match.group("type"), re.I):
        return None
    return match


def _names_treaty(text: str) -> bool:
    """Does a title's remainder name a treaty? Treaty names are capitalised ("Соглашения …",
    "Европейской конвенции …") or international ("международных договоров …"); a domestic
    "договора аренды" or "отдельных положений Указа" is not a treaty."""
    head = " ".join(text.split()[:5])
    if not _TREATY_WORD.search(head):
        return False
    return text[:1].isupper() or bool(re.search(r"международн", head, re.I))


def strip_quotes(text: str | None) -> str:
    """Remove the outer (or stray) quotes around a title, keeping balanced inner quotes."""
    value = clean_text(text) or ""
    if value[:1] in _QUOTES and value[:1] != "»":
        value = value[1:].lstrip()
    if value.endswith("»") and value.count("»") > value.count("«"):
        value = value[:-1].rstrip()
    elif value[-1:] in "\"“”„" and sum(value.count(q) for q in "\"“”„") % 2 == 1:
        value = value[:-1].rstrip()
    return value


def short_title(text: str | None) -> str:
    """The act's own title: type, date and number removed (if present), quotes stripped."""
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    head, newline, rest = value.partition("\n")
    header = act_header(clean_text(head) or "")
    if newline and header:
        value = rest
    elif header and header.group("number"):
        value = header.group("rest")
    return strip_quotes(value)


def classify_title(title: str | None) -> TreatyAct | None:
    """The treaty action a title starts with ("О ратификации …", "О денонсации …"), or None.

    Only the start counts: "О внесении изменений … в связи с ратификацией …" is no ratification.
    """
    text = short_title(title)
    # "ё" -> "е" keeps every index, so the match positions fit the original text.
    folded = text.replace("ё", "е").replace("Ё", "Е")
    for pattern, event_type, action, needs_treaty in _ACTION_PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        rest = text[match.end():].strip(" ,.;:" + _QUOTES)  # a final period would hide the scope
        treaty = _TRAILING_SCOPE.sub("", rest).strip(" ,.;:" + _QUOTES)
        if treaty.count("«") > treaty.count("»"):  # the name ended in a quoted name: give its quote back
            treaty += "»"
        if not treaty:
            return None
        if needs_treaty and not _names_treaty(treaty):
            return None
        return TreatyAct(event_type, action, treaty)
    return None

