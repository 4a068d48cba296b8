"""The `coe` kind: the Council of Europe Treaty Office's charts, as a package.

parse: treaty list, charts and declarations as records; api: the web service and its key;
events: the alerts a chart or declaration change raises; tls: the security-level fallback;
catalogue: the treaty list as catalogue entries; status: the status table; source: the Source."""

from __future__ import annotations

from monitor.sources.coe.api import PUBLIC_TOKEN, SEARCH_ALL
from monitor.sources.coe.events import TreatyContext, treaty_context
from monitor.sources.coe.parse import (
    CHART_URL,
    TreatyInfo,
    default_mention,
    parse_chart,
    parse_declarations,
    parse_treaty_list,
    treaty_number,
)
from monitor.sources.coe.source import CoeSource

__all__ = ["CHART_URL", "PUBLIC_TOKEN", "SEARCH_ALL", "CoeSource", "TreatyContext", "TreatyInfo",
           "default_mention", "parse_chart", "parse_declarations", "parse_treaty_list", "treaty_context",
           "treaty_number"]
