"""The registry of source kinds: a config's `kind` names one of these classes."""

from __future__ import annotations

from ..registry import Kinds
from ..settings import SourceConfig
from .base import Part, Source

SOURCE_KINDS: Kinds[type[Source]] = Kinds(__name__, {
    "html": ".html:HtmlSource",
    "json": ".json:JsonSource",
    "feed": ".feed:FeedSource",
    "pravo": ".pravo:PravoSource",
    "coe": ".coe:CoeSource",
    "untc": ".untc:UntcSource",
    "nl_treaties": ".nl_treaties:NlTreatiesSource",
    "unoda": ".unoda:UnodaSource",
    "hcch": ".hcch:HcchSource",
    "ilo": ".ilo:IloSource",
})
"""Each kind's class, by the name a config gives it; its module is imported when a config
first names the kind (a config of `html` sources never loads the portals' parsers)."""


def create(config: SourceConfig) -> Source:
    """The source a validated `[[sources]]` entry describes (its kind was checked at load)."""
    return SOURCE_KINDS[config.kind](config)


__all__ = ["SOURCE_KINDS", "create", "Part", "Source"]
