"""The `coe` kind: Council of Europe Treaty Office charts of signatures and ratifications."""

from __future__ import annotations

from typing import Any, ClassVar

from monitor import options as o
from monitor.diff import Change
from monitor.errors import SourceError
from monitor.events import Event
from monitor.net import Document, SourceContext
from monitor.options import Option
from monitor.records import Record
from monitor.settings import SourceConfig
from monitor.sources.base import Part, Source, part_or_error
from monitor.sources.coe.api import DEFAULT_BASE_URL, DEFAULT_PAGE_URL, PUBLIC_TOKEN, Api
from monitor.sources.coe.events import CoeEvents, TreatyContext, treaty_context
from monitor.sources.coe.parse import parse_chart, parse_declarations, treaty_number

# --- options -----------------------------------------------------------------------------

def _treaties(value: Any) -> str | list[str]:
    if value == "all":
        return "all"
    if not isinstance(value, list) or not value:
        raise ValueError("must be \"all\" or a non-empty list of treaty numbers such as [126, 5]")
    numbers = [treaty_number(v) for v in value]
    return list(dict.fromkeys(numbers))


def _states(value: Any) -> list[str]:
    states = o.text_list(value)
    if any(not s.strip() for s in states):
        raise ValueError("state names or codes must not be empty")
    return states


def _base_url(value: Any) -> str:
    value = o.url(value)
    return value if value.endswith("/") else value + "/"


# --- the source --------------------------------------------------------------------------

class CoeSource(Source):
    """Watches the Treaty Office charts: one part per treaty, one record per state or
    organisation, events from the dates that appear on a row."""

    kind: ClassVar[str] = "coe"
    options: ClassVar[dict[str, Option]] = {
        "treaties": Option(_treaties, "all", help="\"all\", or a list of treaty numbers such as [126, 5]"),
        "states": Option(_states, [], help="only these states or organisations (names or codes); empty: all"),
        "declarations": Option(o.boolean, False, help="also watch reservations, declarations and withdrawals"),
        "token": Option(o.nonempty_text, PUBLIC_TOKEN, help="the web service key (header `token`)"),
        "base_url": Option(_base_url, DEFAULT_BASE_URL, help="the Treaty Office web service"),
        "page_url": Option(o.url, DEFAULT_PAGE_URL,
                           help="the page whose `window.conventions_api_url` and `window.conventions_api_key` "
                                "are read when the service fails (and daily)"),
        "sweep_period": Option(o.positive_duration, 3600.0,
                               help="every treaty's chart is fetched once in this period, spread evenly over "
                                    "the checks (one every `interval`)"),
    }
    defaults: ClassVar[dict[str, Any]] = {
        "interval": 300.0,
        "host_concurrency": 1,
        "host_delay": 1.0,
        "tls_seclevel": 1,
        "tls_legacy_connect": True,
    }

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        self._seclevel0: set[str] = set()
        """Hosts whose TLS handshake needed security level 0."""
        self._service = Api(self.name, config.options, {}, self._seclevel0)

    def describe(self) -> str:
        treaties = self.config.options.treaties
        which = "all treaties" if treaties == "all" else f"treaties {', '.join(treaties)}"
        return f"{self.config.options.base_url} ({which})"

    async def _api(self, ctx: SourceContext, path: str, **kwargs: Any) -> Document:
        """A request to the web service with the current key (see `Api.get`)."""
        return await self._service.get(ctx, path, **kwargs)

    # -- collecting --

    async def collect(self, ctx: SourceContext) -> list[Part]:
        self._service = Api(self.name, self.config.options, ctx.memo, self._seclevel0)
        options = self.config.options
        wanted = None if options.treaties == "all" else options.treaties
        treaties = await self._service.treaty_list(ctx, wanted)
        if wanted:
            unknown = [n for n in wanted if n not in treaties]
            if unknown:
                raise SourceError(f"treaties {', '.join(unknown)} are not in the Treaty Office's list "
                                  f"({options.base_url}api/traites/search); check `treaties`")
        states = [s.strip().lower() for s in options.states]
        filter_changed = ctx.memo.get("states_filter", states) != states
        charted = set(ctx.memo.get("charted") or [])
        numbers = self.share(ctx.memo, wanted or sorted(treaties), whole=filter_changed or not charted)
        parts: list[Part] = []
        for number in numbers:
            # One treaty that fails (a 500, an odd row) does not hold back the others.
            parts.extend(await part_or_error(ctx, number, self._collect_treaty(ctx, number, states, filter_changed)))
        # A part seen for the first time (a treaty or declarations newly configured) is a
        # baseline: its rows are history, not news. A treaty new to the list is news.
        good = [p for p in parts if not p.error]
        for part in good:
            number = part.name.split(":")[0]
            part.baseline = filter_changed or (part.name not in charted and number not in self._service.new_treaties)
            part.context = treaty_context(number, treaties, ctx.memo)
        ctx.memo["charted"] = sorted(charted | {p.name for p in good})
        ctx.memo["states_filter"] = states
        return parts

    def share(self, memo: dict[str, Any], numbers: list[str], whole: bool) -> list[str]:
        """This check's share of the treaties: each is fetched once per `sweep_period`, spread
        evenly over the checks in it (treaties new to the list at once; all of them when `whole`)."""
        # As many shares as checks surely fit in the period, each check coming up to its jitter late.
        config = self.config
        shares = max(1, min(len(numbers), int(config.options.sweep_period // (config.interval + config.jitter))))
        turn = (memo.get("share", -1) + 1) % shares
        memo["share"] = turn
        if whole or shares == 1:
            return numbers
        return sorted(set(numbers[turn::shares]) | (self._service.new_treaties & set(numbers)))

    async def _collect_treaty(self, ctx: SourceContext, number: str, states: list[str],
                              filter_changed: bool) -> list[Part]:
        declarations = self.config.options.declarations
        document = await self._api(ctx, "api/signatures", params={"numSTE": number, "langue": "ENG"},
                                   need_body=declarations or filter_changed)
        parts: list[Part] = []
        codes: dict[str, str] = {}
        if document.text is None:
            parts.append(Part(number, None))
        else:
            rows = parse_chart(document.json(), number, document.url)
            codes = {(r.fields["state"] or "").lower(): r.fields["code"] or "" for r in rows}
            kept = [r for r in rows if _matches(r, states)]
            parts.append(Part(number, kept if document.changed or filter_changed else None, items=len(rows),
                              allow_empty=True))
        if declarations:
            found = await self._api(ctx, "api/conventions/getDeclarations",
                                    params={"numSte": number, "codeNature": 0, "langue": "ENG"},
                                    need_body=filter_changed)
            name = f"{number}:declarations"
            if found.text is None:
                parts.append(Part(name, None))
            else:
                rows = parse_declarations(found.json(), number, found.url, codes)
                kept = [r for r in rows if _matches(r, states)]
                parts.append(Part(name, kept, items=len(rows), allow_empty=True))
        return parts

    # -- events --

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        context: TreatyContext = part.context
        return CoeEvents(self.name, context.memo).for_change(change, context.info, detected_at)


def _matches(record: Record, states: list[str]) -> bool:
    if not states:
        return True
    return any(s in ((record.fields.get("state") or "").lower(), (record.fields.get("code") or "").lower())
               for s in states)
