"""State names that mix Latin with Cyrillic or Greek letters: respelled in Latin, or flagged."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

LOOKALIKE_SCRIPTS = {"CYRILLIC", "GREEK"}
FLAG = "subject_mixed_scripts"
"""The details key of an event whose state name mixes scripts and names no ISO 3166 state."""


@lru_cache(maxsize=1024)
def unmixed(name: str) -> tuple[str, str | None]:
    """`name` as it should be shown, and None, or a note when it mixes scripts. A name that
    mixes Latin with Cyrillic or Greek letters (a Cyrillic "а" in "Russian Federation") becomes
    the ISO 3166 name its Latin lookalike spells, else it is kept and the note says which
    scripts it mixes. A name in one script (Российская Федерация, Côte d'Ivoire) is kept."""
    if name.isascii():
        return name, None
    scripts = {unicodedata.name(c, "?").split(" ", 1)[0] for c in name if c.isalpha()}  # "CYRILLIC SMALL …"
    if "LATIN" not in scripts or not scripts & LOOKALIKE_SCRIPTS:
        return name, None
    from confusable_homoglyphs import confusables  # its tables load only for a name that mixes scripts

    latin = {}
    for found in confusables.is_confusable(name, greedy=True, preferred_aliases=["latin"]) or []:
        plain = [h["c"] for h in found["homoglyphs"] if h["c"].isascii() and h["c"].isalpha()]
        if found["alias"] in LOOKALIKE_SCRIPTS and plain:
            latin[found["character"]] = plain[0]
    spelled = "".join(latin.get(c, c) for c in name)
    country = _iso_name(spelled) if spelled.isascii() else None
    if country:
        return country, None
    mixed = sorted(scripts & {"LATIN", *LOOKALIKE_SCRIPTS})
    return name, "mixes " + " and ".join(s.title() for s in mixed) + " letters"


def _iso_name(name: str) -> str | None:
    import pycountry

    try:
        return pycountry.countries.lookup(name.strip()).name
    except LookupError:
        return None
