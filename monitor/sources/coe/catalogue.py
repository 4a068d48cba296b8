"""The Council of Europe's treaty list as catalogue entries (numbers, EN/FR/RU titles, charts)."""

from __future__ import annotations

import json
from typing import Any, Callable

from monitor.documents import DocUpdate
from monitor.net import document_key
from monitor.records import clean_text
from monitor.sources.coe.api import SEARCH_ALL
from monitor.sources.coe.parse import parse_treaty_list, treaty_number
from monitor.treaties import CatalogueEntry

LIST_PATH = "api/traites/search"
"""The treaty list's endpoint (a POST with the empty search form), as `coe` fetches it."""


def catalogue_entries(data: Any, url: str) -> list[CatalogueEntry]:
    """Every treaty of an `api/traites/search` answer, with its titles in three languages."""
    treaties = parse_treaty_list(data, url)  # checks the shape; numbers, English titles, series
    items = {treaty_number(str(item["Numero_traite"])): item for item in data}
    entries = []
    for number, info in treaties.items():
        item = items[number]
        entries.append(CatalogueEntry(
            id=info.designation, catalogue="coe", number=number, title_en=info.full_title, url=info.url,
            title_fr=clean_text(item.get("Libelle_titre_FRE")), title_ru=clean_text(item.get("Libelle_titre_RUS")),
            short_en=clean_text(item.get("Nom_commun_ENG")), short_fr=clean_text(item.get("Nom_commun_FRE")),
            short_ru=clean_text(item.get("Nom_commun_RUS"))))
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
