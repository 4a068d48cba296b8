"""Stories: the events of one real-world action (a state, a treaty, a kind of act) across sources."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from monitor.events import LABELS, Event

FAMILIES = {
    "signature": "signature",
    "ratification": "consent",
    "entry_into_force": "entry_into_force",
    "denunciation": "denunciation",
    "suspension": "suspension",
    "reservation": "reservation",
}
"""Event type -> action family. Ratification, accession, acceptance and approval are all
consent to be bound; a denunciation and a withdrawal end it."""

ALIASES = {
    "russia": "RUS", "россия": "RUS", "российская федерация": "RUS",
    "turkey": "TUR", "türkiye": "TUR", "republic of moldova": "MDA", "moldova": "MDA",
    "united kingdom": "GBR", "czech republic": "CZE", "czechia": "CZE", "slovak republic": "SVK",
    "north macedonia": "MKD", "the former yugoslav republic of macedonia": "MKD",
    "republic of korea": "KOR", "democratic people's republic of korea": "PRK",
    "united states": "USA", "holy see": "VAT", "vatican": "VAT", "kosovo": "XKX",
    "democratic republic of the congo": "COD", "state of palestine": "PSE", "palestine": "PSE",
    "swaziland": "SWZ", "eswatini": "SWZ", "st. kitts and nevis": "KNA", "st. lucia": "LCA",
    "st. vincent and the grenadines": "VCT",
}
"""Spellings of states the portals use that the ISO 3166 names do not cover."""

SOURCE_LABELS = {"pravo": "Russian portal", "coe": "Council of Europe Treaty Office",
                 "untc": "UN Treaty Collection", "nl_treaties": "Netherlands treaty database",
                 "unoda": "UNODA treaties database", "hcch": "Hague Conference status table",
                 "ilo": "ILO NORMLEX"}
"""How messages name a source kind in "also reported: …" lines."""

_BRACKETED = r"^(?P<name>[^()]+?)\s*\((?P<rest>[^()]+)\)$"
"""A name with a bracketed part, "Bolivia (Plurinational State of)" (compiled on first use)."""


@lru_cache(maxsize=1024)
def state_id(name: str | None) -> str | None:
    """The ISO 3166 alpha-3 code of a state as a portal spells it ("Russian Federation",
    "Bolivia (Plurinational State of)"), or None for an organisation or an unknown name."""
    if not name or not name.strip():
        return None
    text = " ".join(name.split())
    alias = ALIASES.get(text.casefold())
    if alias:
        return alias
    bracketed = re.match(_BRACKETED, text)
    tries = [text] + ([f"{bracketed['name']}, {bracketed['rest']}", bracketed["name"]] if bracketed else [])
    import pycountry  # loaded when an event names a state (a check of an unchanged page needs none)

    for candidate in tries:
        if len(candidate) <= 3:
            continue  # codes are not names: a portal's "BUL" is no ISO code
        try:
            return pycountry.countries.lookup(candidate).alpha_3
        except LookupError:
            continue
    return None


def story_id(event: Event) -> str | None:
    """A hash of the state (canonical), the treaty and the action family; None when one is
    unknown (no treaty designation, an operational or generic event)."""
    family = FAMILIES.get(event.type)
    treaty = event.treaty.id if event.treaty else None
    if not family or not treaty or not event.subject:
        return None
    state = state_id(event.subject) or "name:" + " ".join(event.subject.split()).casefold()
    digest = hashlib.sha256("\x1f".join((state, treaty, family)).encode("utf-8")).hexdigest()[:20]
    return "st_" + digest


def assign(events: list[Event]) -> list[Event]:
    """Set each event's story from its state, treaty and type."""
    for event in events:
        event.story = story_id(event)
    return events


def related_entry(event: Event, kind: str | None) -> dict[str, Any]:
    """What a message says of another event of a story."""
    return {"id": event.id, "source": event.source, "source_label": SOURCE_LABELS.get(kind or "", event.source),
            "type": event.type, "date": event.date, "effective_date": event.effective_date,
            "reference": event.details.get("reference"), "summary": event.summary, "url": event.url,
            "detected_at": event.detected_at}


def also_reported(entry: dict[str, Any]) -> str:
    """E.g. "Russian portal, 2025-09-29, federal law No. 123-ФЗ". Without the action's date, the
    effective date or the detection day is said to be one ("effective …", "detected …")."""
    when = entry.get("date") or (f"effective {entry['effective_date']}" if entry.get("effective_date") else "") \
        or (f"detected {entry['detected_at'][:10]}" if entry.get("detected_at") else "")
    what = entry.get("reference") or LABELS.get(entry.get("type") or "", entry.get("type") or "").lower()
    return ", ".join(part for part in (entry.get("source_label") or entry.get("source"), when, what) if part)


def more_reported(event: Event) -> str | None:
    """E.g. "12 more reports (story st_…)" when `related` lists only some of the story."""
    more = event.related_total - len(event.related)
    return f"{more} more report{'s' if more != 1 else ''} (story {event.story})" if more > 0 else None
