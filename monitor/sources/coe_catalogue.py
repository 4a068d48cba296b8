"""The Council of Europe's treaty list as catalogue entries (numbers, EN/FR/RU titles, charts)."""

from __future__ import annotations

import json
from typing import Any, Callable

from ..catalogue import CatalogueEntry
from ..context import DocUpdate, document_key
from ..errors import StructureChanged
from ..records import clean_text
from .coe import CHART_URL, SEARCH_ALL, TreatyInfo, default_mention, treaty_number

LIST_PATH = "api/traites/search"
"""The treaty list's endpoint (a POST with the empty search form), as `coe` fetches it."""


def catalogue_entries(data: Any, url: str) -> list[CatalogueEntry]:
    """Every treaty of an `api/traites/search` answer, with its titles in three languages."""
    if not isinstance(data, list):
        raise StructureChanged(f"{url}: expected a JSON list of treaties, got {type(data).__name__}")
    entries = []
    for item in data:
        if not isinstance(item, dict) or not item.get("Numero_traite"):
            raise StructureChanged(f"{url}: a treaty without \"Numero_traite\" in the treaty list")
        try:
            number = treaty_number(str(item["Numero_traite"]))
        except ValueError:
            raise StructureChanged(f"{url}: unknown treaty number {item['Numero_traite']!r}") from None
        mention = clean_text(item.get("Mention")) or default_mention(number)
        english = clean_text(item.get("Libelle_titre_ENG")) or clean_text(item.get("Libelle_titre_FRE")) or ""
        info = TreatyInfo(number, english.removesuffix("(*)").strip() or f"Treaty {number}", mention)
        entries.append(CatalogueEntry(
            id=info.designation, catalogue="coe", number=number, title_en=info.full_title,
            url=CHART_URL.format(number=number), title_fr=clean_text(item.get("Libelle_titre_FRE")),
            title_ru=clean_text(item.get("Libelle_titre_RUS")), short_en=clean_text(item.get("Nom_commun_ENG")),
            short_fr=clean_text(item.get("Nom_commun_FRE")), short_ru=clean_text(item.get("Nom_commun_RUS"))))
    return entries


def from_updates(base_url: str, updates: list[DocUpdate], load: Callable[[str], bytes | None],
                 empty: bool) -> list[CatalogueEntry] | None:
    """The catalogue from a check's fetches: the treaty list when it was fetched and changed,
    or, while the catalogue has nothing from this source, the copy stored by an earlier
    check (the list itself is fetched again only once a day). None when nothing is new."""
    key = document_key("POST", base_url + LIST_PATH, None, SEARCH_ALL)
    fresh = next((u.body for u in updates if u.key == key and u.body is not None), None)
    body = fresh if fresh is not None else (load(key) if empty else None)
    if body is None:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None  # `coe` itself fails the check on a list that is not JSON
    return catalogue_entries(data, base_url + LIST_PATH)
