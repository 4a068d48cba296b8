"""The `untc` kind: status of multilateral treaties deposited with the UN Secretary-General."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, ClassVar

from monitor import options as o
from monitor.clock import utcnow
from monitor.diff import Change
from monitor.events import Event, Treaty
from monitor.net import SourceContext
from monitor.options import Option
from monitor.settings import SourceConfig
from monitor.sources.base import Part, Source, part_or_error
from monitor.sources.untc.events import TreatyContext, change_events
from monitor.sources.untc.html import parse_html
from monitor.sources.untc.index import (
    CHAPTER_INDEX,
    CORE_TREATIES,
    LAST_CHAPTER_OF_VOLUME_I,
    LETTERS,
    ROMAN,
    chapter_of,
    chapters_option,
    index_refs,
    lettered_due,
    lettered_known,
    remember_lettered,
    treaties_option,
)
from monitor.sources.untc.notices import NoticeContext, adopt, notice_event
from monitor.sources.untc.probe import CN_MEMO, collect_cn
from monitor.sources.untc.records import build_records
from monitor.sources.untc.xml import parse_xml

log = logging.getLogger("monitor.sources.untc")

# --- the source ---------------------------------------------------------------------------

class UntcSource(Source):
    """One part per treaty: participants, notes (footnotes, end notes, declarations,
    objections, notifications) and the treaty's status, from the MTDSG XML or, when that is
    missing, from the ViewDetails page."""

    kind: ClassVar[str] = "untc"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, "https://treaties.un.org", help="the UN Treaty Collection site"),
        "treaties": Option(treaties_option, CORE_TREATIES,
                           help='MTDSG references such as "IV-4", or "all" (chapter index and lettered instruments)'),
        "chapters": Option(chapters_option, [],
                           help='chapter numbers such as [4], or "all" (with their lettered instruments)'),
        "cn_interval": Option(o.interval_or_off, 300.0,
                              help='how often the next depositary notification numbers are probed ("off" '
                                   "turns it off); the status sweep keeps its own `interval`"),
    }
    defaults: ClassVar[dict[str, Any]] = {"interval": 12 * 3600.0, "host_concurrency": 1, "host_delay": 1.0}
    error_markers: ClassVar[tuple[str, ...]] = ("urgent maintenance and is currently unavailable",)

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        if not config.options.treaties and not config.options.chapters:
            return ['treaties: name at least one treaty (e.g. ["IV-4"]), or set chapters']
        return []

    def fast_paths(self) -> dict[str, float]:
        interval = self.config.options.cn_interval
        return {"cn": interval} if interval else {}

    async def collect_fast(self, ctx: SourceContext, path: str) -> list[Part]:
        return await collect_cn(self, ctx)

    def watches(self, ref: str) -> bool:
        """Whether treaty `ref` is watched: named, in a watched chapter (lettered instruments
        included), or every treaty is."""
        options = self.config.options
        if options.treaties == "all" or options.chapters == "all" or ref in self.refs():
            return True
        root = "-".join(ref.split("-")[:2])
        return root in self.roots()

    def roots(self) -> list[str]:
        """The chapter-index treaties whose lettered instruments are watched too."""
        options = self.config.options
        if options.treaties == "all" or options.chapters == "all":
            return index_refs(sorted(CHAPTER_INDEX))
        return index_refs(options.chapters)

    def refs(self) -> list[str]:
        """The configured references, in config order, without repeats (lettered instruments
        found by probing come on top of these)."""
        options = self.config.options
        named = [] if options.treaties == "all" else options.treaties
        return list(dict.fromkeys(named + self.roots()))

    def describe(self) -> str:
        refs = self.refs()
        shown = ", ".join(refs[:6]) + (f" and {len(refs) - 6} more" if len(refs) > 6 else "")
        return f"{shown} at {self.config.options.base_url}"

    def xml_url(self, ref: str) -> str:
        chapter = chapter_of(ref)
        volume = "I" if chapter <= LAST_CHAPTER_OF_VOLUME_I else "II"
        base = self.config.options.base_url
        return f"{base}/doc/Publication/MTDSG/Volume%20{volume}/Chapter%20{ROMAN[chapter]}/{ref}.en.xml"

    def page_url(self, ref: str) -> str:
        base = self.config.options.base_url
        return f"{base}/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={ref}&chapter={chapter_of(ref)}&clang=_en"

    async def collect(self, ctx: SourceContext) -> list[Part]:
        # One treaty that fails (an odd cell, a 500) does not hold back the others.
        roots = set(self.roots())
        # Treaties first read since participant names lose their footnote markers: their
        # records may change keys once, and that is no news (see `TreatyContext`).
        parts: list[Part] = []
        done: set[str] = set()
        for ref in self.refs():
            if ref not in done:
                done.add(ref)
                parts += await part_or_error(ctx, ref, self.collect_treaty(ctx, ref))
            if ref in roots:
                parts += await self._collect_lettered(ctx, ref, done)
        self.contextualize(ctx, parts)
        return parts

    def contextualize(self, ctx: SourceContext, parts: list[Part]) -> None:
        """Give each treaty part read its `TreatyContext`, with the C.N.s awaiting its status."""
        aware = set(ctx.memo.get("marker_free_keys") or [])
        pending = (ctx.memo.get(CN_MEMO) or {}).get("pending") or []
        good = [p for p in parts if not p.error]
        for part in good:
            notices = tuple(n for n in pending if n["treaty"] == part.name)
            part.context = self.treaty_context(part, upgrading=part.name not in aware, notices=notices)
        ctx.memo["marker_free_keys"] = sorted(aware | {p.name for p in good})

    async def _collect_lettered(self, ctx: SourceContext, root: str, done: set[str]) -> list[Part]:
        """The lettered instruments of `root`: those found by the last probe, or, once a week, a
        new probe (REF-a, REF-b, … up to the first 404; each probe is the instrument's fetch)."""
        known = lettered_known(ctx.memo, root)
        parts: list[Part] = []
        if lettered_due(ctx.memo, root):
            found: list[str] = []
            for letter in LETTERS:
                ref = f"{root}-{letter}"
                if ref in done:  # named in `treaties` and fetched already this check
                    found.append(ref)
                    continue
                probe = await part_or_error(ctx, ref, self.collect_treaty(ctx, ref, probe=True))
                done.add(ref)
                if not probe:  # the first 404: no more lettered instruments
                    remember_lettered(ctx.memo, root, found, utcnow())
                    log.debug("%s: %s has %d lettered instruments%s", self.name, root, len(found),
                              f" ({', '.join(found)})" if found else "")
                    break
                parts += probe
                if probe[0].error:  # unknown whether more exist: probe again next check
                    break
                found.append(ref)
        for ref in known:
            if ref not in done:
                done.add(ref)
                parts += await part_or_error(ctx, ref, self.collect_treaty(ctx, ref))
        return parts

    async def collect_treaty(self, ctx: SourceContext, ref: str, probe: bool = False,
                             always: bool = False) -> list[Part]:
        """One treaty from its XML file or, when that is missing, its ViewDetails page. A probe
        for a lettered instrument returns no part when the XML file is missing. With `always`,
        its records even when the document is unchanged."""
        url = self.xml_url(ref)
        document = await ctx.get(url, accept=(404,), encoding="iso-8859-1", need_body=always)
        if document.status == 404:
            if probe:
                return []
            url = self.page_url(ref)
            document = await ctx.get(url, need_body=always)
            parser = parse_html
        else:
            parser = parse_xml
        if not document.changed and not always:
            return [Part(ref, records=None)]
        assert document.text is not None
        parsed = parser(document.text, f"{ref} ({url})")
        records = build_records(ref, parsed, f"{ref} ({url})", self.page_url(ref), None)
        # A treaty newly added to `treaties` (or newly found) starts silently: its table is history.
        return [Part(ref, records=records, baseline_if_new=True)]

    def treaty_context(self, part: Part, upgrading: bool = False,
                       notices: tuple[dict[str, Any], ...] = ()) -> TreatyContext:
        """What the event rules need about the part of treaty `part.name` (see `TreatyContext`)."""
        title = part.records[0].title if part.records else None
        return TreatyContext(Treaty(id=part.name, title=title, url=self.page_url(part.name)), upgrading, notices)

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        if isinstance(part.context, NoticeContext):  # a depositary notification's own part
            notice = part.context
            if change.kind != "added" or not notice.raises:
                return []
            return [notice_event(self.name, notice.note, notice.url, notice.name, notice.treaty, detected_at)]
        context: TreatyContext = part.context
        treaty = replace(context.treaty, title=record.title or context.treaty.title)
        return adopt(change_events(self.name, change, treaty, detected_at, upgrading=context.upgrading),
                     context.notices)
