"""The `unoda` kind: the actions of disarmament treaties in the UNODA treaties database (GraphQL)."""

from __future__ import annotations

from typing import Any, ClassVar

from monitor import options as o
from monitor.diff import Change
from monitor.events import Event, Treaty
from monitor.net import SourceContext
from monitor.options import Option
from monitor.sources.base import Part, Source, part_or_error
from monitor.sources.parties import TreatyContext, party_events
from monitor.sources.unoda.parse import build_records, parse_actions
from monitor.sources.unoda.reference import (
    DEFAULT_TREATIES,
    DEFAULT_URL,
    PAGE_URL,
    QUERY,
    TREATIES,
    TreatyInfo,
    treaties_option,
    variables,
)


def designation(short_name: str) -> str:
    """How events and the catalogue name a treaty of this database."""
    return f"UNODA {short_name}"


class UnodaSource(Source):
    """One part per treaty (by short name), one record per state, from the treaty's `actions_`."""

    kind: ClassVar[str] = "unoda"
    options: ClassVar[dict[str, Option]] = {
        "url": Option(o.url, DEFAULT_URL, help="the GraphQL endpoint of the UNODA treaties database"),
        "treaties": Option(treaties_option, DEFAULT_TREATIES,
                           help='short names such as ["npt", "ctbt", "test_ban", "tpnw", "1925"]'),
    }
    defaults: ClassVar[dict[str, Any]] = {"interval": 6 * 3600.0, "host_concurrency": 1, "host_delay": 2.0}

    def describe(self) -> str:
        return f"{self.config.options.url} ({', '.join(self.config.options.treaties)})"

    def info(self, short_name: str) -> TreatyInfo:
        return TREATIES.get(short_name) or TreatyInfo(f"UNODA treaty {short_name}", None, None)

    async def collect(self, ctx: SourceContext) -> list[Part]:
        parts: list[Part] = []
        for short_name in self.config.options.treaties:
            parts += await part_or_error(ctx, short_name, self._treaty(ctx, short_name))
        return parts

    async def _treaty(self, ctx: SourceContext, short_name: str) -> Part:
        info = self.info(short_name)
        url = PAGE_URL.format(short_name=short_name)
        basis = (f"inferred: {info.notice_months} months after the withdrawal, as {info.article} of the treaty "
                 "provides" if info.notice_months else None)
        context = TreatyContext(Treaty(id=designation(short_name), title=info.title, url=url), effective_basis=basis)
        document = await ctx.get(self.config.options.url, method="POST",
                                 json={"query": QUERY, "variables": variables(short_name)},
                                 headers={"Accept": "application/json"})
        if not document.changed:
            return Part(short_name, None, context=context)
        actions = parse_actions(document.json(), f"{short_name} ({document.url})")
        records = build_records(actions, short_name, info.title, url, info.notice_months)
        return Part(short_name, records, baseline_if_new=True, context=context)

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        return party_events(self.name, change, part.context, detected_at)
