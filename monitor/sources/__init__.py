"""The registry of source kinds: a config's `kind` names one of these classes."""

from __future__ import annotations

from ..settings import SourceConfig
from .base import Part, Source
from .coe import CoeSource
from .feed import FeedSource
from .html import HtmlSource
from .json import JsonSource
from .pravo import PravoSource
from .untc import UntcSource

SOURCE_KINDS: dict[str, type[Source]] = {
    HtmlSource.kind: HtmlSource,
    JsonSource.kind: JsonSource,
    FeedSource.kind: FeedSource,
    PravoSource.kind: PravoSource,
    CoeSource.kind: CoeSource,
    UntcSource.kind: UntcSource,
}



def create(config: SourceConfig) -> Source:
    """The source a validated `[[sources]]` entry describes (its kind was checked at load)."""
    return SOURCE_KINDS[config.kind](config)


__all__ = ["SOURCE_KINDS", "create", "Part", "Source", "CoeSource", "FeedSource", "HtmlSource", "JsonSource",
           "PravoSource", "UntcSource"]
