"""The treaty catalogue: treaties the sources know by number and title, in several languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.events import Treaty


@dataclass(frozen=True)
class CatalogueEntry:
    """One treaty of a depositary's list. `id` is its designation ("ETS No. 126", "IV-4")."""

    id: str
    catalogue: str
    """Whose list it comes from: "coe", "un", or a depositary kind's ("nl", "unoda", "hcch", "ilo")."""
    number: str
    title_en: str
    url: str | None = None
    title_fr: str | None = None
    title_ru: str | None = None
    short_en: str | None = None
    short_fr: str | None = None
    short_ru: str | None = None

    def treaty(self) -> Treaty:
        """The event's `treaty` for a link to this entry: designation, English title, chart."""
        return Treaty(id=self.id, title=self.title_en, url=self.url)

    def row(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "CatalogueEntry":
        return cls(**{name: row.get(name) for name in cls.__dataclass_fields__})
