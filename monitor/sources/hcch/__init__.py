"""The `hcch` kind: the Hague Conference on Private International Law's status tables, as a package.

reference: addresses, columns, Type codes, dates and options; parse: a print-view status table as
party records; source: the Source (event rules, status table and catalogue are the shared party
tables of `sources.parties`)."""

from __future__ import annotations

from monitor.sources.hcch.parse import StatusTable, parse_status_table, roman_date, words_date
from monitor.sources.hcch.reference import DEFAULT_BASE_URL, DEFAULT_CONVENTIONS, TYPES, column, conventions_option
from monitor.sources.hcch.source import HcchSource, designation

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_CONVENTIONS", "HcchSource", "StatusTable", "TYPES", "column",
           "conventions_option", "designation", "parse_status_table", "roman_date", "words_date"]
