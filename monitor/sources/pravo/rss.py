"""The portal's RSS of one publication block (`/api/rss?block=…`) as items: pure, no network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime

from lxml import etree

from monitor.errors import SourceError, StructureChanged
from monitor.records import clean_text

RSS_PAGE_SIZE = "10"
"""The smallest page the RSS offers (10, 100 or 200; others answer 400)."""
_EO = re.compile(r"(?<!\d)(\d{16})(?!\d)")


@dataclass(frozen=True)
class RssItem:
    """One announced act: its title (lines joined), link, guid (the link when absent), the
    `eoNumber` its link or guid names (if any) and its Moscow publication day."""

    title: str
    link: str
    guid: str
    eo_number: str | None
    day: date | None


def _day(text: str | None) -> date | None:
    """The publication day of a `pubDate` ("Tue, 04 Aug 2026 00:00:00 +03:00" is 4 August:
    Moscow midnight names the day, in its own offset, never converted to UTC)."""
    if not text or not text.strip():
        return None
    try:
        return parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, IndexError):
        return None


def parse_rss(content: bytes, where: str) -> list[RssItem]:
    """The items of a flat RSS 2.0 answer. Not RSS, or RSS with no item, is a failure: the
    portal always lists its latest acts, so an empty feed is a broken one, never "no acts"."""
    if not content or not content.strip():
        raise SourceError(f"{where}: empty answer where an RSS feed was expected")
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        snippet = " ".join(content[:80].decode("utf-8", "replace").split())
        raise StructureChanged(f"{where}: not an RSS feed (not XML: {exc}; starts with {snippet!r})") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise StructureChanged(f"{where}: not an RSS feed (expected <rss><channel>, got <{root.tag}>)")
    items = []
    for node in channel.findall("item"):
        title = clean_text(" ".join((node.findtext("title") or "").split()))  # a title over two lines is one
        link = (node.findtext("link") or "").strip()
        guid = (node.findtext("guid") or "").strip() or link
        if not title or not guid:
            raise StructureChanged(f"{where}: an <item> has no title or no link/guid")
        found = _EO.search(link) or _EO.search(guid)
        items.append(RssItem(title, link, guid, found.group(1) if found else None, _day(node.findtext("pubDate"))))
    if not items:
        raise SourceError(f"{where}: the RSS feed lists no item (an empty feed is a broken one)")
    return items
