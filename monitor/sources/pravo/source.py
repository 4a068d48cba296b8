"""The `pravo` kind: Russia's official publication portal (publication.pravo.gov.ru), day by day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from monitor import options as o
from monitor.diff import Change
from monitor.errors import SourceError, StructureChanged
from monitor.events import Event
from monitor.net import Document, SourceContext
from monitor.options import Option
from monitor.records import Record
from monitor.settings import SourceConfig
from monitor.sources.base import Part, Source
from monitor.sources.pravo.events import published_event, treaty_event
from monitor.sources.pravo.fast import collect_rss, rss_blocks
from monitor.sources.pravo.parse import parse_page
from monitor.sources.pravo.reference import (
    DEFAULT_BASE_URL,
    PAGE_SIZE,
    SORT_BY_EO_NUMBER,
    TYPE_NAMES,
    moscow_today,
    parse_blocks,
    parse_document_types,
)
from monitor.sources.pravo.titles import classify_title

# --- the source ----------------------------------------------------------------------------

class PravoSource(Source):
    """Polls `/api/Documents` for each day of a look-back window and each scope item
    (a publication block, or a document type across blocks); records are keyed by
    `eoNumber`, one part per day. Treaty acts are classified by the start of the title."""

    kind: ClassVar[str] = "pravo"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, DEFAULT_BASE_URL, help="the portal's address (http works where https is filtered)"),
        "lookback_days": Option(o.integer(1, 60), 7, help="days checked on each run, today (Moscow) included"),
        "blocks": Option(parse_blocks, ["president"], help="publication blocks watched whole"),
        "document_types": Option(parse_document_types, [], help="document types (name or id) watched in every block"),
        "all_acts": Option(o.boolean, False, help="also raise law_published for acts that are not treaty actions"),
        "rss_blocks": Option(parse_blocks, ["president", "international"],
                             help="blocks whose RSS the fast path polls for new treaty acts (those the "
                                  "day sweep lists: of `blocks`, or all with `document_types`)"),
        "rss_interval": Option(o.interval_or_off, 300.0,
                               help='how often the RSS fast path polls ("off" turns it off); the day sweep '
                                    "keeps its own `interval`"),
    }
    defaults: ClassVar[dict[str, Any]] = {
        "interval": 3600.0,
        "timeout": 60.0,
        "host_concurrency": 1,
        "host_delay": 1.0,
    }

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        problems = []
        if not config.options.blocks and not config.options.document_types:
            problems.append("blocks: give at least one block or one document type (both are empty)")
        return problems

    def fast_paths(self) -> dict[str, float]:
        interval = self.config.options.rss_interval
        return {"rss": interval} if interval and rss_blocks(self.config.options) else {}

    def describe(self) -> str:
        options = self.config.options
        scope = [f"block {b}" for b in options.blocks]
        scope += [TYPE_NAMES.get(t, t) for t in options.document_types]
        return f"{options.base_url} ({', '.join(scope)}; last {options.lookback_days} days)"

    def scope(self) -> list[tuple[str, str]]:
        """One query parameter per scope item: ("Block", code) or ("DocumentTypes", id)."""
        options = self.config.options
        return [("Block", b) for b in options.blocks] + [("DocumentTypes", t) for t in options.document_types]

    def days(self, today: date | None = None) -> list[date]:
        today = today or moscow_today()
        return [today - timedelta(days=n) for n in range(self.config.options.lookback_days)]

    async def collect(self, ctx: SourceContext) -> list[Part]:
        parts = []
        for day in self.days():
            parts.append(await self.collect_day(ctx, day))
        return parts

    async def collect_fast(self, ctx: SourceContext, path: str) -> list[Part]:
        return await collect_rss(self, ctx)

    async def collect_day(self, ctx: SourceContext, day: date, always: bool = False) -> Part:
        """Every page of every scope item for one publication day (`always`: its records even
        when the answers are unchanged)."""
        base = self.config.options.base_url
        url = f"{base}/api/Documents"
        records: dict[str, Record] = {}
        changed = False
        for scope in self.scope():
            index, pages, seen = 1, 1, set()
            while index <= pages:
                params = [scope, ("PeriodType", "day"), ("Date", day.strftime("%d.%m.%Y")),
                          ("PageSize", str(PAGE_SIZE)), ("SortedBy", SORT_BY_EO_NUMBER), ("Index", str(index))]
                document = await ctx.get(url, params=params, need_body=True, accept=(400, 404))
                changed = changed or document.changed
                page, pages = parse_page(self._json(document), document.url, base, day, index)
                if index > 1 and page and all(r.key in seen for r in page):
                    raise StructureChanged(f"{document.url}: page {index} repeats earlier pages (paging ignored)")
                for record in page:
                    seen.add(record.key)
                    records.setdefault(record.key, record)
                index += 1
        name = day.isoformat()
        if not changed and not always:
            return Part(name, records=None, allow_empty=True)
        return Part(name, records=list(records.values()), allow_empty=True)

    @staticmethod
    def _json(document: Document) -> Any:
        text = document.text or ""
        if document.status >= 400:
            try:
                data = document.json()
            except SourceError:
                snippet = " ".join(text[:80].split())
                raise SourceError(f"HTTP {document.status} from {document.url} (not the API's answer: "
                                  f"{snippet!r}; check base_url)") from None
            if isinstance(data, dict) and isinstance(data.get("message"), str):
                raise SourceError(f"{document.url} rejected the query (HTTP {document.status}): "
                                  f"{' '.join(data['message'].split())}")
            raise SourceError(f"HTTP {document.status} from {document.url}")
        return document.json()

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        if change.kind == "removed" or change.new is None:
            return []  # an act vanishing from a listing is not a withdrawal of anything
        record = change.new
        act = classify_title(record.fields.get("short_title"))
        if change.kind == "changed":
            before = classify_title(change.old.fields.get("short_title")) if change.old else None
            # A corrected title that newly names a treaty action still deserves its one alert.
            if act is None or (before is not None and before.type == act.type):
                return []
        if act is not None:
            return [treaty_event(self.name, record, act, detected_at)]
        if change.kind == "added" and self.config.options.all_acts:
            return [published_event(self.name, record, detected_at)]
        return []
