"""The registry of source kinds: a config's `kind` names one of these classes."""

from __future__ import annotations

from monitor.registry import Kinds, lazy_names
from monitor.settings import SourceConfig
from monitor.sources.base import Part, Source

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


# What the pipeline and the commands ask of the kinds, loaded when first read.
__getattr__ = lazy_names(__name__, {
    "CATALOGUES": ".link:CATALOGUES", "LINKERS": ".link:LINKERS", "STATUS_TABLES": ".status_tables:STATUS_TABLES",
    "DocumentSource": ".document:DocumentSource", "date_note": ".generic:date_note",
    "field_action": ".generic:field_action", "field_date": ".generic:field_date",
})

__all__ = ["CATALOGUES", "LINKERS", "SOURCE_KINDS", "STATUS_TABLES", "DocumentSource", "Part", "Source", "create",
           "date_note", "field_action", "field_date"]
