"""What is known of the Hague Conference's status tables: address, columns, Type codes, dates."""

from __future__ import annotations

import re
from typing import Any

DEFAULT_BASE_URL = "https://www.hcch.net"
PRINT_PATH = "/en/instruments/conventions/status-table/print/?cid={cid}"
"""The print view of a convention's status table (simpler markup than the page itself)."""
PAGE_PATH = "/en/instruments/conventions/status-table/?cid={cid}"
"""The status table's public page, the official link of every event."""

DEFAULT_CONVENTIONS = [41, 137]
"""The kind's own default: the Apostille Convention (41) and the 2019 Judgments Convention (137),
both cids seen in reported addresses. The shipped config names more."""

COLUMNS = {"contracting party": "state", "s": "signature", "type": "type", "eif": "entry_into_force",
           "ext": "extensions", "auth": "authorities", "res/d/n/dc": "reservation"}
"""Header text (footnote numbers and asterisks removed, lower case) -> field. A header beginning
"r/" (R/A/S, R/A/Ap/Su, …) is the consent column."""

TYPES = {"R": "ratification", "A": "accession", "A*": "accession (subject to acceptance)",
         "Su": "succession", "C": "continuation", "Ap": "approval", "Ac": "acceptance",
         "AEU": "approval by the European Union", "Den": None}
"""The Type column's codes (an asterisk after one refers to a note); `Den` is a denunciation."""

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10, "XI": 11,
         "XII": 12}


def conventions_option(value: Any) -> list[int]:
    """cids: the number at the end of a status table's address (`…/status-table/?cid=41`)."""
    if not isinstance(value, list) or not value or any(isinstance(v, bool) or not isinstance(v, int) or v < 1
                                                       for v in value):
        raise ValueError("must be a non-empty list of cids (integers, as in status-table/?cid=41), such as [41, 137]")
    return list(dict.fromkeys(value))


_HEADER_NOISE = re.compile(r"[\d*]+")


def column(header: str) -> str | None:
    """The field a header names, or None when the kind does not know it."""
    text = " ".join(_HEADER_NOISE.sub(" ", header).split()).lower()
    if text.startswith("r/"):
        return "consent"
    return COLUMNS.get(text)
