"""Which source kinds feed the treaty catalogue, and which link their events to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from monitor.documents import DocUpdate
from monitor.events import Event
from monitor.sources.base import Part, Source

if TYPE_CHECKING:  # named in annotations only: the kinds that use them load them
    from monitor.treaties import CatalogueEntry, RussianMatcher

CatalogueReader = Callable[[Source, list[Part], list[DocUpdate], Callable[[str], bytes | None], bool],
                           "list[CatalogueEntry] | None"]
"""(source after a check, the parts it collected, the check's fetches, a loader of stored
bodies, whether the catalogue has nothing from this source yet) -> the entries learned, or None."""


def _coe(source: Source, parts: list[Part], updates: list[DocUpdate], load: Callable[[str], bytes | None],
         empty: bool) -> list[CatalogueEntry] | None:
    from monitor.sources.coe import (
        catalogue as coe_catalogue,  # a portal's package loads with its kind, not at every start
    )

    return coe_catalogue.from_updates(source.config.options.base_url, updates, load, empty)


def _untc(source: Source, parts: list[Part], updates: list[DocUpdate], load: Callable[[str], bytes | None],
          empty: bool) -> list[CatalogueEntry] | None:
    from monitor.sources.untc import catalogue as untc_catalogue

    return untc_catalogue.catalogue_entries(parts) or None


def _parties(catalogue: str) -> CatalogueReader:
    """The reader of a kind whose parts carry a party table's treaty (`sources.parties`)."""
    def read(source: Source, parts: list[Part], updates: list[DocUpdate], load: Callable[[str], bytes | None],
             empty: bool) -> list[CatalogueEntry] | None:
        from monitor.sources.parties import catalogue_entries

        return catalogue_entries(parts, catalogue) or None
    return read


def _pravo(events: list[Event], matcher: RussianMatcher) -> list[Event]:
    from monitor.sources.pravo import link as pravo_link

    return pravo_link.link_events(events, matcher)


CATALOGUES: dict[str, CatalogueReader] = {"coe": _coe, "untc": _untc, "nl_treaties": _parties("nl"),
                                           "unoda": _parties("unoda"), "hcch": _parties("hcch"),
                                           "ilo": _parties("ilo")}
"""Kinds whose fetches carry treaty lists."""

LINKERS: dict[str, Callable[[list[Event], RussianMatcher], list[Event]]] = {"pravo": _pravo}
"""Kinds whose events name treaties in Russian, to be linked to catalogue entries."""
