"""Dates the generic kinds read from a portal's text: with the source's `date_format`, or only when unambiguous."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache

_DIRECTIVES = {"d": r"\d{1,2}", "m": r"\d{1,2}", "Y": r"\d{4}", "y": r"\d{2}", "b": r"[^\W\d_]{3,}\.?",
               "B": r"[^\W\d_]{3,}", "H": r"\d{1,2}", "M": r"\d{2}", "S": r"\d{2}", "j": r"\d{1,3}",
               "e": r"\d{1,2}", "a": r"[^\W\d_]+", "A": r"[^\W\d_]+", "p": r"[AaPp][Mm]", "%": "%"}

_MONTH_NAMES = [
    ("january", "jan", "janvier", "январь", "января"), ("february", "feb", "février", "fevrier", "февраль", "февраля"),
    ("march", "mar", "mars", "март", "марта"), ("april", "apr", "avril", "апрель", "апреля"),
    ("may", "mai", "май", "мая"), ("june", "jun", "juin", "июнь", "июня"), ("july", "jul", "juillet", "июль", "июля"),
    ("august", "aug", "août", "aout", "август", "августа"),
    ("september", "sept", "sep", "septembre", "сентябрь", "сентября"),
    ("october", "oct", "octobre", "октябрь", "октября"), ("november", "nov", "novembre", "ноябрь", "ноября"),
    ("december", "dec", "décembre", "decembre", "декабрь", "декабря"),
]
"""Month names in English, French and Russian (nominative and genitive), January first."""
MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
ENGLISH_MONTHS = tuple(names[0] for names in _MONTH_NAMES)
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
"""Any month name MONTHS knows, as a regex alternation (longest first)."""


def day_month_year(day: str, month: str, year: str) -> str | None:
    """An ISO date from a day, a month's name or abbreviation (English, French, Russian) and a
    year, as depositaries write them ("5 Feb 2020", "1er octobre 2025"); None when it is no date."""
    number = MONTHS.get(month.lower().rstrip("."))
    try:
        return date(int(year), number, int(day)).isoformat() if number else None
    except ValueError:
        return None

_MONTH = MONTH_PATTERN
_UNAMBIGUOUS = (
    rf"(?<!\d)(?P<iso>(?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}}))(?!\d)"
    rf"|(?<!\d)(?P<dmy>(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s+(?P<m1>{_MONTH})\b\.?,?\s+(?P<y1>\d{{4}}))(?!\d)"
    rf"|\b(?P<mdy>(?P<m2>{_MONTH})\b\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}}))(?!\d)")
"""An ISO date, or a date whose month is a word: "29 September 2025", "September 29, 2025",
"1er octobre 2025", "29 сентября 2025 г."."""
_NUMERIC = r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?!\d)"
"""A date in figures only, such as 01/02/2026: day or month first? Only `date_format` knows."""


@dataclass(frozen=True)
class DateReading:
    """What a text says about a date: `date` (ISO) when it could be read, `text` the date as
    the portal wrote it, `problem` why a date-like text could not be read."""

    date: str | None = None
    text: str | None = None
    problem: str | None = None


NO_DATE = DateReading()


@lru_cache(maxsize=64)
def _date_pattern(date_format: str) -> re.Pattern[str]:
    """A regex that finds a date written in `date_format` inside a longer text."""
    out, i = [], 0
    while i < len(date_format):
        char = date_format[i]
        if char == "%" and i + 1 < len(date_format):
            out.append(_DIRECTIVES.get(date_format[i + 1], r"\S+"))
            i += 2
            continue
        out.append(r"\s+" if char.isspace() else re.escape(char))
        i += 1
    return re.compile(r"(?<!\d)" + "".join(out) + r"(?!\d)")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns for dates read without a format, compiled when first needed."""
    return re.compile(_UNAMBIGUOUS, re.I), re.compile(_NUMERIC)


@lru_cache(maxsize=8192)
def read_date(text: str | None, date_format: str | None) -> DateReading:
    """The first date in `text`: with `date_format`, a date written that way (else a problem
    naming the text and the format); without, an ISO date or one whose month is a word (a
    date in figures only stays as written, with a problem saying it is ambiguous). Cached:
    a chart parsed again holds the same dates, and strptime is slow."""
    if not text:
        return NO_DATE
    if date_format:
        return _formatted(text, date_format)
    words, numeric = _patterns()
    for found in words.finditer(text):
        groups = found.groupdict()
        if groups["iso"]:
            day, month, year = groups["id"], groups["im"], groups["iy"]
        else:
            which = "1" if groups["dmy"] else "2"
            day, month, year = groups["d" + which], str(MONTHS[groups["m" + which].lower()]), groups["y" + which]
        try:
            return DateReading(date(int(year), int(month), int(day)).isoformat(), found.group(0))
        except ValueError:  # 31 February
            continue
    figures = numeric.search(text)
    if figures:
        return DateReading(None, figures.group(0), "ambiguous date (day or month first?): kept as written; "
                                                   "set date_format to read it")
    return NO_DATE


def _formatted(text: str, date_format: str) -> DateReading:
    """The first date written in `date_format` in `text`."""
    shown = None
    for found in _date_pattern(date_format).finditer(text):
        written = " ".join(found.group(0).split())
        shown = shown or found.group(0)
        try:
            return DateReading(datetime.strptime(written, " ".join(date_format.split())).date().isoformat(),
                               found.group(0))
        except ValueError:
            continue
    return DateReading(None, shown, f"{text!r} does not match date_format {date_format!r}")
