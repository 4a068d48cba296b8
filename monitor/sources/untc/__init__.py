"""The `untc` kind: the UN Treaty Collection's status of multilateral treaties, as a package.

index: chapters, references and lettered instruments; cells: one date cell or name; withdrawals:
what a withdrawal note says; xml and html: the two page shapes read into rows and notes; records:
rows and notes as records; events: the alerts a change raises; catalogue: the treaties parsed, as
catalogue entries; status: the status table; source: the Source."""

from __future__ import annotations

from monitor.sources.untc.cells import clean_name, first_date, parse_cell, split_markers
from monitor.sources.untc.events import TreatyContext
from monitor.sources.untc.html import parse_html
from monitor.sources.untc.index import CHAPTER_INDEX, CORE_TREATIES, INDEX_GAPS, chapter_of, index_refs
from monitor.sources.untc.records import Parsed, RawNote, Row, build_records
from monitor.sources.untc.source import UntcSource
from monitor.sources.untc.withdrawals import (
    is_withdrawal,
    match_participant,
    named_actor,
    withdrawal_actor,
    withdrawal_dates,
)
from monitor.sources.untc.xml import parse_xml

__all__ = ["CHAPTER_INDEX", "CORE_TREATIES", "INDEX_GAPS", "Parsed", "RawNote", "Row", "TreatyContext",
           "UntcSource", "build_records", "chapter_of", "clean_name", "first_date", "index_refs", "is_withdrawal",
           "match_participant", "named_actor", "parse_cell", "parse_html", "parse_xml", "split_markers",
           "withdrawal_actor", "withdrawal_dates"]
