"""UN Treaty Collection references: the shipped chapter index, lettered instruments, URLs."""

from __future__ import annotations

import re
import string
from datetime import datetime, timezone
from typing import Any, Iterable

from monitor import options as o

# --- the chapter index ------------------------------------------------------------------
# Derived from the chapter index of https://treaties.un.org/Pages/Treaties.aspx as captured
# in May 2026 (244 treaties): chapter -> number of treaties N, numbered 1..N, minus gaps.
# Chapter XI (subchapters XI-A…XI-D) is not in that index (name its treaties with `treaties`);
# lettered instruments (protocols, amendments such as XXVII-7-d) are found by probing, below.
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


def treaties_option(value: Any) -> list[str] | str:
    if value == "all":
        return "all"
    refs = o.text_list(value)
    for ref in refs:
        chapter_of(ref.strip())
    return [ref.strip() for ref in refs]


def chapters_option(value: Any) -> list[int] | str:
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


# --- lettered instruments ------------------------------------------------------------------
# The chapter index lists main treaties only; their protocols and amendments have lettered
# references of their own (the Kyoto Protocol is XXVII-7-a, the Paris Agreement XXVII-7-d).
# They are found by asking for REF-a, REF-b, … until the first 404, and remembered a week.

LETTERED_MAX_AGE = 7 * 86400.0
"""How long the list of a treaty's lettered instruments is trusted before it is probed again."""
LETTERS = string.ascii_lowercase


def lettered_due(memo: dict[str, Any], root: str, now: datetime | None = None) -> bool:
    """Whether `root`'s lettered instruments should be probed again (never probed, or a week old)."""
    entry = (memo.get("lettered") or {}).get(root)
    if not entry or not entry.get("checked_at"):
        return True
    age = ((now or datetime.now(timezone.utc)) - datetime.fromisoformat(entry["checked_at"])).total_seconds()
    return not 0 <= age < LETTERED_MAX_AGE


def lettered_known(memo: dict[str, Any], root: str) -> list[str]:
    """The lettered instruments of `root` found by the last probe."""
    return list(((memo.get("lettered") or {}).get(root) or {}).get("found") or [])


def remember_lettered(memo: dict[str, Any], root: str, found: list[str], checked_at: str) -> None:
    memo.setdefault("lettered", {})[root] = {"found": found, "checked_at": checked_at}
