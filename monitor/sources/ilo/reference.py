"""What is known of ILO NORMLEX: page addresses, the session recipe, instrument ids, row texts."""

from __future__ import annotations

import re
from typing import Any

from monitor.errors import StructureChanged
from monitor.sources.dates import day_month_year

DEFAULT_BASE_URL = "https://normlex.ilo.org"
START_PATH = "/dyn/normlex/en/f?p=NORMLEXPUB:1:0::NO:::"
"""The start page that hands out the session cookie (the recipe working clients follow)."""
RATIFICATIONS_PATH = "/dyn/nrmlx_en/f?p=NORMLEXPUB:11300:0::NO::P11300_INSTRUMENT_ID:{id}"
"""A convention's ratifications, by instrument id."""
MIN_BYTES = 5000
"""An answer shorter than this is a block page or an empty shell, never a ratification table."""

FIRST_INSTRUMENT_ID = 312145
"""C{n} appears to have instrument id 312145 + n (C001 = 312146, C029 = 312174, C188 = 312333:
twelve reported sightings agree; inferred for the others)."""

COLUMNS = {"country": "state", "date": "date", "ratification date": "date", "status": "status", "note": "note",
           "notes": "note"}
"""Header text (lower case) -> field; any other header is a shape this kind does not know."""

DATE = r"(\d{1,2} [A-Z][a-z]{2} \d{4})"
AUTOMATIC = re.compile(r"automatic\s+denunciation\s+on\s+" + DATE + r"(?:\s+by\s+(?:convention\s+)?(C\s?\d{1,3}))?",
                       re.I)
DENOUNCED = re.compile(r"denounced\s+on\s+" + DATE + r"|denunciation\s+on\s+" + DATE, re.I)
STATUSES = ("in force", "not in force")
"""The statuses a row may show (case-insensitive); others fail loudly."""

_CODE = re.compile(r"^C(\d{1,3})$")


def convention_code(value: Any) -> str:
    """`"C158"` (also `"c158"`, `"C 158"`) as `"C158"`; three digits are kept as written (`"C029"`)."""
    text = str(value).replace(" ", "").upper()
    if isinstance(value, bool) or not _CODE.match(text):
        raise ValueError(f"{value!r} is not a convention code such as \"C158\"")
    return text


def conventions_option(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError('must be a non-empty list of convention codes such as ["C158", "C087"]')
    return list(dict.fromkeys(convention_code(v) for v in value))


def instrument_ids_option(value: Any) -> dict[str, int]:
    """Instrument ids named directly, by code (`{ C158 = 312303, P029 = 3174672 }`)."""
    if not isinstance(value, dict) or any(isinstance(v, bool) or not isinstance(v, int) or v < 1
                                          for v in value.values()):
        raise ValueError("must be a table of instrument ids (integers) by code, such as { P029 = 3174672 }")
    return {str(k).replace(" ", "").upper(): v for k, v in value.items()}


def instrument_id(code: str, named: dict[str, int]) -> int:
    """The id a config names for `code`, else the one inferred for a convention."""
    if code in named:
        return named[code]
    match = _CODE.match(code)
    if not match:
        raise ValueError(f"{code}: no instrument id known; name it in instrument_ids")
    return FIRST_INSTRUMENT_ID + int(match[1])


def iso(value: str) -> str:
    """`05 Feb 2020` as `2020-02-05`; anything else is a failure."""
    found = day_month_year(*value.split()) if len(value.split()) == 3 else None
    if found is None:
        raise StructureChanged(f"{value!r} is not a date (DD Mon YYYY)")
    return found
