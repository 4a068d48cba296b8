"""What is known of the Netherlands treaty database: the SRU query, the party table's names, the options."""

from __future__ import annotations

import re
from typing import Any

DEFAULT_BASE_URL = "https://repository.overheid.nl/sru"
"""The SRU service behind verdragenbank.overheid.nl (reported by a working client)."""
PAGE_URL = "https://verdragenbank.overheid.nl/en/Treaty/Details/{id}?expand-table=partijtabel"
"""A treaty's public page with its party table, when the listing names no English page."""
QUERY = "c.product-area==vd AND w.documenttype==verdrag AND dt.language==en"
"""Every treaty, its English record (the Dutch and English records share the identifier)."""
DEPOSITARY_CLAUSE = " AND w.isNLDepositair==true"
"""Only the treaties the Netherlands holds (the field is reported; the index name is inferred
from `w.documenttype`, so an SRU diagnostic about it makes the source filter the full listing)."""
PAGE_SIZE = 250
"""Records per page (a working client's choice: about 1.75 MB a page)."""
MAX_PAGES = 200
"""More pages than this (50,000 treaties) is no listing this source knows: a failure."""
IDS_PER_QUERY = 40
"""Identifiers asked for in one query when `treaties` lists them."""

CONSENT = {"R": "ratification, acceptance, approval or notification", "A": "accession",
           "S": "signature without reservation as to ratification", "Su": "succession",
           "NK": "consent (kind not known)"}
"""`TypeInstemming` codes, as the public party table explains them."""

PARTY_FIELDS = {"NaamPartij", "DatumOndertekenning", "DatumRatificatie", "DatumVoorlopigeToepassing",
                "DatumInwerkingtreding", "DatumTerugwerkendeKracht", "DatumOpzegging", "DatumBuitenwerkingtreding",
                "TypeInstemming", "IsVoorbehoud", "IsBezwaar", "Voorbehouden"}
"""The elements of one `Partij`; any other is a shape this source does not know."""

_IDENTIFIER = re.compile(r"^\d{1,6}$")


def identifier(value: Any) -> str:
    """A treaty identifier as the database writes it: six digits ("006967"; 6967 is read so too)."""
    text = str(value).strip()
    if isinstance(value, bool) or not _IDENTIFIER.match(text):
        raise ValueError(f"{value!r} is not a treaty identifier (six digits, as in Treaty/Details/006967)")
    return text.zfill(6)


def treaties_option(value: Any) -> str | list[str]:
    """`"all"`, `"depositary"` (the treaties the Netherlands holds), or a list of identifiers."""
    if value in ("all", "depositary"):
        return value
    if not isinstance(value, list) or not value:
        raise ValueError('must be "all", "depositary" or a non-empty list of identifiers such as ["006967"]')
    return list(dict.fromkeys(identifier(v) for v in value))
