"""The `nl_treaties` kind: party tables of the Netherlands treaty database, through its SRU service."""

from __future__ import annotations

import hashlib
import logging
from typing import Any, ClassVar
from urllib.parse import urlsplit

from monitor import options as o
from monitor.diff import Change
from monitor.errors import SourceError, StructureChanged
from monitor.events import Event, Treaty
from monitor.net import SourceContext, document_key
from monitor.options import Option
from monitor.sources.base import Part, Source, part_or_error
from monitor.sources.nl_treaties.parse import Listed, parse_item, parse_listing
from monitor.sources.nl_treaties.reference import (
    DEFAULT_BASE_URL,
    DEPOSITARY_CLAUSE,
    IDS_PER_QUERY,
    MAX_PAGES,
    PAGE_SIZE,
    QUERY,
    treaties_option,
)
from monitor.sources.parties import TreatyContext, party_events

log = logging.getLogger("monitor.sources.nl_treaties")


def designation(identifier: str) -> str:
    """How events and the catalogue name a treaty of this database."""
    return f"NL {identifier}"


class NlTreatiesSource(Source):
    """One part per treaty, one record per party; the listing's `modified` stamps decide which
    item XMLs are fetched again."""

    kind: ClassVar[str] = "nl_treaties"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, DEFAULT_BASE_URL, help="the SRU service of the treaty database"),
        "treaties": Option(treaties_option, "depositary",
                           help='"depositary" (the treaties the Netherlands holds), "all", or identifiers '
                                'such as ["006967"]'),
    }
    defaults: ClassVar[dict[str, Any]] = {"interval": 86400.0, "host_concurrency": 1, "host_delay": 2.0}

    def describe(self) -> str:
        treaties = self.config.options.treaties
        which = f"treaties {', '.join(treaties)}" if isinstance(treaties, list) else f"{treaties} treaties"
        return f"{self.config.options.base_url} ({which})"

    async def collect(self, ctx: SourceContext) -> list[Part]:
        wanted = self.config.options.treaties
        listed = await self._listing(ctx, wanted)
        names = wanted if isinstance(wanted, list) else sorted(listed)
        if not names:
            raise StructureChanged(f"{self.config.options.base_url}: the listing holds no treaty")
        stamps: dict[str, list[str]] = ctx.memo.setdefault("stamps", {})
        # A treaty new to the listing (a new treaty deposited) is news; one newly configured is history.
        before = None if isinstance(wanted, list) else ctx.memo.get("listed")
        parts: list[Part] = []
        for name in names:
            if name not in listed:
                parts.append(Part(name, error=f"treaty {name} is not in the database's listing; check `treaties`"))
                continue
            parts += await part_or_error(ctx, name, self._treaty(ctx, listed[name], stamps))
            parts[-1].baseline_if_new = before is None or name in before
        if not isinstance(wanted, list):
            ctx.memo["listed"] = sorted(listed)
        return parts

    async def _listing(self, ctx: SourceContext, wanted: str | list[str]) -> dict[str, Listed]:
        """Every treaty asked for, paged by identifier (never by position: the service fails past 10,000)."""
        if isinstance(wanted, list):
            found: dict[str, Listed] = {}
            for start in range(0, len(wanted), IDS_PER_QUERY):
                chunk = wanted[start:start + IDS_PER_QUERY]
                found |= await self._pages(ctx, QUERY + " AND (" + " OR ".join(f"dt.identifier=={i}" for i in chunk)
                                           + ")")
            return found
        if wanted == "all":
            return await self._pages(ctx, QUERY)
        if ctx.memo.get("depositary_index") is not False:
            try:
                held = await self._pages(ctx, QUERY + DEPOSITARY_CLAUSE)
                ctx.memo["depositary_index"] = True
                return {k: v for k, v in held.items() if v.depositary is not False}
            except _Diagnostic as exc:
                log.warning("%s: the service does not filter by depositary (%s); reading the full listing",
                            self.name, exc)
                ctx.memo["depositary_index"] = False
        return {k: v for k, v in (await self._pages(ctx, QUERY)).items() if v.depositary}

    async def _pages(self, ctx: SourceContext, query: str) -> dict[str, Listed]:
        base = self.config.options.base_url
        found: dict[str, Listed] = {}
        total: int | None = None
        after = ""
        for _ in range(MAX_PAGES):
            params = {"operation": "searchRetrieve", "version": "1.2",
                      "query": query + (f' AND dt.identifier>"{after}"' if after else "")
                      + " sortBy dt.identifier/sort.ascending",
                      "maximumRecords": str(PAGE_SIZE), "startRecord": "1", "recordSchema": "gzd"}
            document = await ctx.get(base, params=params, need_body=True)
            listing = parse_listing(document.text or "", document.url)
            if listing.diagnostic:
                raise _Diagnostic(f"{document.url}: {listing.diagnostic}")
            if total is None:
                total = listing.total
            found |= {t.id: t for t in listing.treaties}
            if len(listing.treaties) < PAGE_SIZE:
                if total is not None and len(found) < total:
                    raise StructureChanged(f"{base}: the listing announced {total} treaties but gave {len(found)} "
                                           "(truncated?)")
                return found
            after = listing.treaties[-1].id
        raise StructureChanged(f"{base}: more than {MAX_PAGES} listing pages (paging does not advance?)")

    async def _treaty(self, ctx: SourceContext, listed: Listed, stamps: dict[str, list[str]]) -> Part:
        origin = urlsplit(self.config.options.base_url)
        url = f"{origin.scheme}://{origin.netloc}{listed.item_path}"
        known = ctx.documents.get(document_key("GET", url, None, None, set(self.config.params)))
        context = TreatyContext(Treaty(id=designation(listed.id), title=listed.title, url=listed.page_url))
        seen = stamps.get(listed.id)
        if seen and known and seen == [listed.stamp, known.hash]:
            return Part(listed.id, None, context=context)  # not modified since its item XML was read
        document = await ctx.get(url)
        digest = hashlib.sha256(document.content).hexdigest() if document.content is not None else \
            (known.hash if known else None)
        stamps[listed.id] = [listed.stamp, digest or ""]
        if not document.changed:
            return Part(listed.id, None, context=context)
        records = parse_item(document.text or "", listed.id, listed.title, listed.page_url, f"{listed.id} ({url})")
        return Part(listed.id, records, context=context)

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        return party_events(self.name, change, part.context, detected_at)


class _Diagnostic(SourceError):
    """The SRU service answered a diagnostic instead of records."""
