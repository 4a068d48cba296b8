"""The treaties an `untc` check parsed, as catalogue entries (reference, English title, page)."""

from __future__ import annotations

from monitor.sources.base import Part
from monitor.sources.untc.events import TreatyContext
from monitor.treaties import CatalogueEntry


def catalogue_entries(parts: list[Part]) -> list[CatalogueEntry]:
    """One entry per treaty parsed in this check, from the treaty `collect` put on its part
    (a part left unparsed, its document unchanged, carries no title and gives none)."""
    entries = []
    for part in parts:
        if isinstance(part.context, TreatyContext) and part.context.treaty.title:
            treaty = part.context.treaty
            entries.append(CatalogueEntry(id=part.name, catalogue="un", number=part.name, title_en=treaty.title,
                                          url=treaty.url))
    return entries
