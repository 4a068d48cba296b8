"""The `pravo` fast path: new treaty acts in the blocks' RSS, fetched at once through the day's API query."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from monitor.net import SourceContext
from monitor.sources.base import Part
from monitor.sources.pravo.reference import moscow_today
from monitor.sources.pravo.rss import RSS_PAGE_SIZE, RssItem, parse_rss
from monitor.sources.pravo.titles import classify_title, short_title

if TYPE_CHECKING:
    from monitor.sources.pravo.source import PravoSource

log = logging.getLogger("monitor.sources.pravo")

SEEN_MEMO, PENDING_MEMO = "rss_seen", "rss_pending"
"""Memo keys: the guids of each block's last feed; the treaty acts announced but not yet
found in the API's answer for their day (tried again on each poll)."""
PENDING_DAYS = 3
"""An announced act the API has not listed after this many days is left to the day sweep."""


def _resolved(item: dict[str, Any], part: Part) -> bool:
    """Whether the day's records hold the announced act (by eoNumber, else by title)."""
    records = part.records or []
    if item.get("eo"):
        return any(record.key == item["eo"] for record in records)
    wanted = short_title(item["title"]).casefold()
    return any((record.fields.get("short_title") or "").casefold() == wanted for record in records)


async def collect_rss(source: PravoSource, ctx: SourceContext) -> list[Part]:
    """Poll each RSS block; a new item whose title is a treaty act leads to its day's records
    (the day sweep's own query and part, so its event is the sweep's event). The first poll
    notes the feeds silently: what they already list is the day sweep's business."""
    options = source.config.options
    seen: dict[str, list[str]] = dict(ctx.memo.get(SEEN_MEMO) or {})
    pending: list[dict[str, Any]] = list(ctx.memo.get(PENDING_MEMO) or [])
    waiting = {item["guid"] for item in pending}
    for block in rss_blocks(options):
        url = f"{options.base_url}/api/rss"
        document = await ctx.get(url, params=[("block", block), ("pageSize", RSS_PAGE_SIZE)])
        if not document.changed:
            continue  # the same feed as last time: nothing new in this block
        items = parse_rss(document.content or b"", document.url)
        known = set(seen.get(block) or [])
        if block in seen:
            for item in items:
                if item.guid in known or item.guid in waiting:
                    continue
                act = classify_title(item.title)
                if act is None:
                    continue
                log.info("%s: the RSS of block %s announces %s (%s)", source.name, block, act.type, item.title,
                         extra={"source": source.name})
                pending.append(_pending(item, block))
                waiting.add(item.guid)
        seen[block] = [item.guid for item in items]
    parts: dict[str, Part] = {}
    still = []
    for item in pending:
        day = date.fromisoformat(item["day"])
        if day.isoformat() not in parts:
            parts[day.isoformat()] = await source.collect_day(ctx, day, always=True)
        if _resolved(item, parts[day.isoformat()]):
            continue
        if date.fromisoformat(item["since"]) + timedelta(days=PENDING_DAYS) < moscow_today():
            log.warning("%s: %s was announced in the RSS %d days ago and is still not in the API's answer "
                        "for %s; left to the day sweep", source.name, item["title"], PENDING_DAYS, item["day"],
                        extra={"source": source.name})
            continue
        still.append(item)
    ctx.memo[SEEN_MEMO] = seen
    ctx.memo[PENDING_MEMO] = still
    return list(parts.values())


def rss_blocks(options: Any) -> list[str]:
    """The RSS blocks polled: those of `rss_blocks` whose acts the day sweep lists (all of them
    when the sweep goes by document type), so that each act found leads to the sweep's own record."""
    if options.document_types:
        return list(options.rss_blocks)
    return [block for block in options.rss_blocks if block in options.blocks]


def _pending(item: RssItem, block: str) -> dict[str, Any]:
    today = moscow_today()
    return {"guid": item.guid, "eo": item.eo_number, "title": item.title, "block": block,
            "day": (item.day or today).isoformat(), "since": today.isoformat()}
