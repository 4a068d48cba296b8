"""What the product knows of treaties across sources: the catalogue, Russian titles matched to it,
stories (one real-world action reported by several sources) and status tables."""

from monitor.treaties.catalogue import CatalogueEntry
from monitor.treaties.match_ru import Link, RussianMatcher
from monitor.treaties.status import RecordsOf, StatusRow, StatusTable, TreatyStatus
from monitor.treaties.stories import also_reported, assign, more_reported, related_entry, state_id, story_id

__all__ = ["CatalogueEntry", "Link", "RecordsOf", "RussianMatcher", "StatusRow", "StatusTable", "TreatyStatus",
           "also_reported", "assign", "more_reported", "related_entry", "state_id", "story_id"]
