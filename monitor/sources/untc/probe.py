"""The `untc` fast path: probe the next depositary notification (C.N.) numbers, read a new one, check its treaty."""

from __future__ import annotations

import logging
from datetime import date, timedelta, timezone
from typing import TYPE_CHECKING, Any

from monitor import clock
from monitor.errors import SourceError
from monitor.events import Treaty
from monitor.net import SourceContext, document_key
from monitor.sources.base import Part, part_or_error
from monitor.sources.untc.cn import Notification, parse_notification, pdf_text
from monitor.sources.untc.notices import (
    PENDING_DAYS,
    NoticeContext,
    notice_event,
    notice_record,
    pending_entry,
    resolve,
    shows,
)

if TYPE_CHECKING:
    from monitor.sources.untc.source import UntcSource

log = logging.getLogger("monitor.sources.untc")

CN_MEMO = "cn"
"""Memo key: per year the highest C.N. number seen ("top") and the lower numbers not seen yet
("gaps", with the day each was noted); and the C.N.s raised whose status change is awaited."""
AHEAD = 3
"""Numbers probed past the highest seen: C.N.s can appear out of order."""
GAP_DAYS = 7
"""A number skipped over is probed (in English, then French) for this many days."""


def cn_url(base: str, year: int, number: int, language: str = "Eng") -> str:
    return f"{base}/doc/Publication/CN/{year}/CN.{number}.{year}-{language}.pdf"


async def fetch_cn(ctx: SourceContext, base: str, year: int, number: int, french: bool) -> tuple[bytes, str] | None:
    """A C.N.'s PDF, or None while it is not issued (404). Anything else that is not a PDF (a
    503, a maintenance or login page after a redirect) fails the probe: never a gap."""
    for language in ("Eng", "Frn") if french else ("Eng",):
        url = cn_url(base, year, number, language)
        document = await ctx.get(url, accept=(404,), need_body=True, conditional=False)
        if document.status == 404:
            continue
        content = document.content or b""
        if not content.startswith(b"%PDF-") or not document.url.lower().endswith(".pdf"):
            snippet = " ".join(content[:60].decode("latin-1").split())
            raise SourceError(f"probe of {url} answered {document.url} with no PDF (starts with {snippet!r})")
        return content, url
    return None


async def discover(ctx: SourceContext, base: str, year: int) -> int:
    """The highest C.N. number issued so far in `year`: doubling, then bisecting, then a look
    past it (numbers can come out of order). Nothing found here is news."""
    async def exists(number: int) -> bool:
        return await fetch_cn(ctx, base, year, number, french=False) is not None

    low, high = 0, 1
    while await exists(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if await exists(middle) else (low, middle)
    ahead = True
    while ahead:
        ahead = False
        for number in range(low + 1, low + 1 + AHEAD):
            if await exists(number):
                low, ahead = number, True
    return low


def _years(years: dict[str, Any], today: date) -> dict[str, Any]:
    """The years still probed: this one, and the last one through January."""
    return {y: v for y, v in years.items() if int(y) == today.year or (int(y) == today.year - 1 and today.month == 1)}


async def collect_cn(source: UntcSource, ctx: SourceContext) -> list[Part]:
    """One probe round. The first probe of a year only finds where the numbering stands."""
    base = source.config.options.base_url
    memo = dict(ctx.memo.get(CN_MEMO) or {})
    years: dict[str, Any] = {y: {"top": v["top"], "gaps": dict(v.get("gaps") or {})}
                             for y, v in (memo.get("years") or {}).items()}
    today = clock.now().astimezone(timezone.utc).date()
    if str(today.year) not in years:
        if str(today.year - 1) in years:  # watched across the new year: CN.1 onward is news
            years[str(today.year)] = {"top": 0, "gaps": {}}
        else:
            top = await discover(ctx, base, today.year)
            log.info("%s: C.N. numbering of %d stands at %d; probing from there", source.name, today.year, top,
                     extra={"source": source.name})
            ctx.memo[CN_MEMO] = {**memo, "years": {**_years(years, today), str(today.year): {"top": top, "gaps": {}}}}
            return []
    years = _years(years, today)
    candidates: list[tuple[int, int, bool]] = []
    for year, entry in sorted(years.items()):
        for number, since in sorted(entry["gaps"].items(), key=lambda item: int(item[0])):
            if date.fromisoformat(since) + timedelta(days=GAP_DAYS) < today:
                log.info("%s: C.N.%s.%s never appeared in %d days; no longer probed", source.name, number, year,
                         GAP_DAYS, extra={"source": source.name})
                del entry["gaps"][number]
            else:
                candidates.append((int(year), int(number), True))
        candidates += [(int(year), entry["top"] + k, False) for k in range(1, AHEAD + 1)]
    if (today.month, today.day) == (12, 31) and str(today.year + 1) not in years:
        candidates.append((today.year + 1, 1, False))
    pending = [p for p in memo.get("pending") or []
               if date.fromisoformat(p["since"]) + timedelta(days=PENDING_DAYS) >= today]
    parts: list[Part] = []
    checked: set[str] = set()
    found: dict[str, set[int]] = {}
    for year, number, gap in candidates:
        fetched = await fetch_cn(ctx, base, year, number, french=gap)
        if fetched is None:
            continue
        content, url = fetched
        read = await part_or_error(ctx, f"CN.{number}.{year}",
                                   _read(source, ctx, year, number, content, url, checked, pending, today))
        parts += read
        if not any(p.error and p.name == f"CN.{number}.{year}" for p in read):
            found.setdefault(str(year), set()).add(number)
    for year, numbers in found.items():
        entry = years.setdefault(year, {"top": 0, "gaps": {}})
        for number in range(entry["top"] + 1, max(numbers)):
            entry["gaps"].setdefault(str(number), today.isoformat())
        entry["top"] = max(entry["top"], *numbers)
        for number in numbers:
            entry["gaps"].pop(str(number), None)
    ctx.memo[CN_MEMO] = {"years": years, "pending": pending}
    return parts


async def _read(source: UntcSource, ctx: SourceContext, year: int, number: int, content: bytes, url: str,
                checked: set[str], pending: list[dict[str, Any]], today: date) -> list[Part]:
    """A new C.N. read; its treaty's status document checked at once (watched treaties only):
    the C.N.'s part raises the event unless the status already shows the action."""
    where = f"C.N.{number}.{year} ({url})"
    note = parse_notification(pdf_text(content, where), where)
    if (note.number, note.year) != (number, year):
        raise SourceError(f"{where}: the PDF's reference is {note.reference}")
    log.info("%s: new depositary notification %s: %s", source.name, note.reference, note.heading,
             extra={"source": source.name})
    if not source.watches(note.treaty):
        return []
    known = any(document_key("GET", u) in ctx.documents
                for u in (source.xml_url(note.treaty), source.page_url(note.treaty)))
    status: list[Part] = []
    if note.treaty not in checked:
        checked.add(note.treaty)
        status = await part_or_error(ctx, note.treaty, source.collect_treaty(ctx, note.treaty, always=True))
        source.contextualize(ctx, status)
    records = next((p.records or [] for p in status if not p.error), [])
    name = resolve(note, records)
    title = (records[0].title if records else None) or (note.treaty_title or "").title() or None
    treaty = Treaty(id=note.treaty, title=title, url=source.page_url(note.treaty))
    raises = not (known and status and shows(note, name, records))
    if raises:
        entry = pending_entry(notice_event(source.name, note, url, name, treaty, ""), note, name, today.isoformat())
        if all(p["id"] != entry["id"] for p in pending):
            pending.append(entry)
    return [*status, Part(f"CN.{number}.{year}", records=[notice_record(note, url)],
                          context=NoticeContext(note, url, name, treaty, raises))]


__all__ = ["CN_MEMO", "Notification", "collect_cn", "cn_url", "discover"]
