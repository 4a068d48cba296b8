"""The `ilo` kind: ratifications of ILO conventions on NORMLEX, as a package.

reference: addresses, the session recipe, instrument ids, row texts and options; parse: a
ratifications page as party records; source: the Source (event rules, status table and catalogue
are the shared party tables of `sources.parties`)."""

from __future__ import annotations

from monitor.sources.ilo.parse import Ratifications, parse_ratifications
from monitor.sources.ilo.reference import (
    DEFAULT_BASE_URL,
    FIRST_INSTRUMENT_ID,
    MIN_BYTES,
    convention_code,
    instrument_id,
)
from monitor.sources.ilo.source import DEFAULT_CONVENTIONS, IloSource, designation

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_CONVENTIONS", "FIRST_INSTRUMENT_ID", "IloSource", "MIN_BYTES",
           "Ratifications", "convention_code", "designation", "instrument_id", "parse_ratifications"]
