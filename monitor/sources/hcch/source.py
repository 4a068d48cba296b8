"""The `hcch` kind: the Hague Conference's status tables of its conventions (print view)."""

from __future__ import annotations

from typing import Any, ClassVar

from monitor import options as o
from monitor.diff import Change
from monitor.events import Event, Treaty
from monitor.net import SourceContext
from monitor.options import Option
from monitor.sources.base import Part, Source, part_or_error
from monitor.sources.hcch.parse import parse_status_table
from monitor.sources.hcch.reference import (
    DEFAULT_BASE_URL,
    DEFAULT_CONVENTIONS,
    PAGE_PATH,
    PRINT_PATH,
    conventions_option,
)
from monitor.sources.parties import TreatyContext, party_events


def designation(cid: int | str) -> str:
    """How events and the catalogue name a convention of the Hague Conference."""
    return f"HCCH cid {cid}"


class HcchSource(Source):
    """One part per convention (its cid), one record per Contracting Party."""

    kind: ClassVar[str] = "hcch"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, DEFAULT_BASE_URL, help="the Hague Conference's site"),
        "conventions": Option(conventions_option, DEFAULT_CONVENTIONS,
                              help="cids (the number in status-table/?cid=41), such as [41, 137]"),
    }
    defaults: ClassVar[dict[str, Any]] = {"interval": 12 * 3600.0, "host_concurrency": 1, "host_delay": 2.0}
    error_markers: ClassVar[tuple[str, ...]] = ("currently undergoing maintenance", "site is under maintenance")

    def describe(self) -> str:
        return f"{self.config.options.base_url} (cids {', '.join(map(str, self.config.options.conventions))})"

    async def collect(self, ctx: SourceContext) -> list[Part]:
        parts: list[Part] = []
        for cid in self.config.options.conventions:
            parts += await part_or_error(ctx, str(cid), self._convention(ctx, cid))
        return parts

    async def _convention(self, ctx: SourceContext, cid: int) -> Part:
        base = self.config.options.base_url
        page = base + PAGE_PATH.format(cid=cid)
        titles: dict[str, str] = ctx.memo.setdefault("titles", {})
        document = await ctx.get(base + PRINT_PATH.format(cid=cid))
        if not document.changed:
            context = TreatyContext(Treaty(id=designation(cid), title=titles.get(str(cid)), url=page))
            return Part(str(cid), None, context=context)
        table = parse_status_table(document.text or "", cid, page, f"cid {cid} ({document.url})")
        titles[str(cid)] = table.title
        context = TreatyContext(Treaty(id=designation(cid), title=table.title, url=page))
        return Part(str(cid), table.records, baseline_if_new=True, context=context)

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        return party_events(self.name, change, part.context, detected_at)
