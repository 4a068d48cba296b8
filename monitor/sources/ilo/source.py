"""The `ilo` kind: ratifications of ILO conventions on NORMLEX, behind its session cookie."""

from __future__ import annotations

from typing import Any, ClassVar

from monitor import options as o
from monitor.diff import Change
from monitor.errors import FetchError, SourceError, StructureChanged
from monitor.events import Event, Treaty
from monitor.net import Document, SourceContext
from monitor.options import Option
from monitor.sources.base import Part, Source, part_or_error
from monitor.sources.ilo.parse import parse_ratifications
from monitor.sources.ilo.reference import (
    DEFAULT_BASE_URL,
    MIN_BYTES,
    RATIFICATIONS_PATH,
    START_PATH,
    conventions_option,
    instrument_id,
    instrument_ids_option,
)
from monitor.sources.parties import TreatyContext, party_events

DEFAULT_CONVENTIONS = ["C029", "C087", "C098", "C100", "C105", "C111", "C138", "C182", "C155", "C187", "C158"]
"""The ten fundamental conventions and the Termination of Employment Convention."""
EFFECTIVE_BASIS = ("inferred: a denunciation takes effect one year after it is registered (the conventions' "
                   "final articles); an automatic denunciation at once")


def designation(code: str) -> str:
    """How events and the catalogue name an ILO instrument."""
    return f"ILO {code}"


class IloSource(Source):
    """One part per convention, one record per ratifying country; a session cookie from the
    start page first, then each ratifications page with the start page as referer."""

    kind: ClassVar[str] = "ilo"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, DEFAULT_BASE_URL, help="the NORMLEX site"),
        "conventions": Option(conventions_option, DEFAULT_CONVENTIONS, help='convention codes such as ["C158"]'),
        "instrument_ids": Option(instrument_ids_option, {},
                                 help="instrument ids by code, for ids not inferred (protocols: { P029 = 3174672 })"),
    }
    defaults: ClassVar[dict[str, Any]] = {"interval": 12 * 3600.0, "host_concurrency": 1, "host_delay": 3.0}

    def codes(self) -> list[str]:
        """The conventions named, then instruments named only by id."""
        options = self.config.options
        return list(dict.fromkeys([*options.conventions, *options.instrument_ids]))

    def page_url(self, code: str) -> str:
        options = self.config.options
        return options.base_url + RATIFICATIONS_PATH.format(id=instrument_id(code, options.instrument_ids))

    def describe(self) -> str:
        return f"{self.config.options.base_url} ({', '.join(self.codes())})"

    async def collect(self, ctx: SourceContext) -> list[Part]:
        await self._session(ctx)
        parts: list[Part] = []
        for code in self.codes():
            parts += await part_or_error(ctx, code, self._convention(ctx, code))
        return parts

    async def _session(self, ctx: SourceContext) -> None:
        """The start page, for its session cookie (the client keeps it for the pages that follow)."""
        await self._get(ctx, self.config.options.base_url + START_PATH, conditional=False)

    async def _get(self, ctx: SourceContext, url: str, **kwargs: Any) -> Document:
        try:
            document = await ctx.get(url, **kwargs)
        except FetchError as exc:
            if "redirected more than" in str(exc):
                raise SourceError(f"{url} redirects to itself: NORMLEX did not accept the session (no cookie from "
                                  f"{START_PATH}, or it was refused); {exc}") from None
            if exc.status == 403:
                raise SourceError(f"{exc}: NORMLEX refused the request (it often refuses datacenter addresses; a "
                                  "browser-like user_agent is the operator's choice)") from None
            raise
        if document.content is not None and len(document.content) < MIN_BYTES:
            raise StructureChanged(f"{url} answered {len(document.content)} bytes, under {MIN_BYTES}: a block page "
                                   "or an empty shell, not NORMLEX's page")
        return document

    async def _convention(self, ctx: SourceContext, code: str) -> Part:
        url = self.page_url(code)
        titles: dict[str, str] = ctx.memo.setdefault("titles", {})
        document = await self._get(ctx, url, headers={"Referer": self.config.options.base_url + "/"})
        if not document.changed:
            return Part(code, None, context=self._context(code, titles.get(code), url))
        parsed = parse_ratifications(document.text or "", code, url, f"{code} ({url})")
        records = parsed.records
        if parsed.title:
            titles[code] = parsed.title
        return Part(code, records, baseline_if_new=True, context=self._context(code, parsed.title, url))

    def _context(self, code: str, title: str | None, url: str) -> TreatyContext:
        return TreatyContext(Treaty(id=designation(code), title=title or f"ILO Convention {code}", url=url),
                             effective_basis=EFFECTIVE_BASIS)

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        return party_events(self.name, change, part.context, detected_at)
