"""The `pravo` kind: Russia's official publication portal, as a package.

catalog: reference tables and option parsers; titles: what a title says; parse: API answers as
records; events: the alerts and their English wording; link: treaty acts tied to the catalogue;
rss and fast: the RSS fast path; source: the Source that fetches day by day."""

from __future__ import annotations

from monitor.sources.pravo.events import SUBJECT, document_label
from monitor.sources.pravo.parse import parse_item, parse_page
from monitor.sources.pravo.reference import (
    BLOCKS,
    DEFAULT_BASE_URL,
    DOCUMENT_TYPES,
    MOSCOW,
    SIGNATORIES,
    TYPE_NAMES,
    moscow_today,
    parse_blocks,
    parse_document_types,
)
from monitor.sources.pravo.source import PravoSource
from monitor.sources.pravo.titles import TreatyAct, classify_title, short_title, strip_quotes

__all__ = ["BLOCKS", "DEFAULT_BASE_URL", "DOCUMENT_TYPES", "MOSCOW", "SIGNATORIES", "SUBJECT", "TYPE_NAMES",
           "PravoSource", "TreatyAct", "classify_title", "document_label", "moscow_today", "parse_blocks",
           "parse_document_types", "parse_item", "parse_page", "short_title", "strip_quotes"]
