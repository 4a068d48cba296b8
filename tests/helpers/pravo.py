"""The Russian publication portal for the `pravo` kind: its captured answers, law items in the
real shape, `/api/Documents` pages, a local portal answering per day, sources and a check."""

from __future__ import annotations

import asyncio
import copy
import json
import math
from datetime import date
from pathlib import Path

from helpers.config import source_table
from helpers.http import Reply, Seen
from helpers.paths import FIXTURES
from monitor.config import parse_config
from monitor.diff import Stored, diff_part
from monitor.net import Fetcher
from monitor.pipeline import check_source
from monitor.sources import Part
from monitor.sources import create as create_source
from monitor.sources.pravo import PravoSource
from monitor.store import open_state

PRAVO_FIXTURES = FIXTURES / "pravo"
BASE = "http://publication.pravo.gov.ru"


def load(name: str):
    """A captured portal answer, by file name."""
    return json.loads((PRAVO_FIXTURES / name).read_text(encoding="utf-8"))


FEDERAL_LAWS = load("documents_federal_laws_2026-08-04_page1.json")
ALL_BLOCKS = load("documents_all_blocks_2026-01-17_pagesize10.json")


def law(eo: str, number: str, title: str, day: date, *, quote: str = '"{}"', newline: str = "\n ") -> dict:
    """A federal-law item in the real 2026 shape (first item of the August 2026 capture)."""
    item = copy.deepcopy(FEDERAL_LAWS["items"][0])
    head = f"Федеральный закон от {day:%d.%m.%Y} № {number}"
    quoted = quote.format(title)
    item.update(eoNumber=eo, number=number, name=quoted, complexName=f"{head}{newline}{quoted}",
                title=f"{head}<br /> {quoted}", documentDate=f"{day.isoformat()}T00:00:00",
                publishDateShort=f"{day.isoformat()}T00:00:00", viewDate=f"{day:%d.%m.%Y}", id=f"id-{eo}")
    return item


def answer(items: list[dict], index: int = 1, page_size: int = 200) -> dict:
    """One `/api/Documents` page in the portal's envelope."""
    return {"items": items[(index - 1) * page_size:index * page_size], "itemsTotalCount": len(items),
            "itemsPerPage": page_size, "currentPage": index,
            "pagesTotalCount": math.ceil(len(items) / page_size)}


def source(**options) -> PravoSource:
    """A `pravo` source with `options`, as the config gives it."""
    raw = {"sources": [{"name": "pravo", "kind": "pravo", **options}]}
    return PravoSource(parse_config(raw, Path("/tmp/monitor.toml")).sources[0])


def events_between(src: PravoSource, before: list, after: list) -> list:
    """The events `src` raises for the records going from `before` to `after`."""
    diff = diff_part({r.key: Stored(r) for r in before}, after)
    part = Part(records=after)
    return [e for change in diff.changes for e in src.events(change, part, "2026-08-05T10:00:00+00:00")]


def check(server, tmp_path: Path, **options):
    """One check of a `pravo` source on the local portal `server`, in this process; its report."""
    raw = {"defaults": {"retries": 0, "host_delay": "0s"},
           "sources": [{"name": "pravo", "kind": "pravo", "base_url": server.base, "host_delay": "0s",
                        "lookback_days": 1, **options}]}
    config = parse_config(raw, tmp_path / "monitor.toml").sources[0]
    state = open_state(tmp_path / "state.db")

    async def run():
        async with Fetcher([config]) as fetcher:
            return await check_source(create_source(config), state, fetcher)

    try:
        return asyncio.run(run())
    finally:
        state.close()


DENUNCIATION = ("О денонсации Российской Федерацией Европейской конвенции по предупреждению пыток и "
                "бесчеловечного или унижающего достоинство обращения или наказания")


class Portal:
    """Answers like the portal: only `PeriodType=day`, `Date=DD.MM.YYYY`, `Block`, `PageSize`, `Index`."""

    def __init__(self) -> None:
        self.days: dict[str, list[dict]] = {}

    def __call__(self, seen: Seen) -> Reply:
        query = {k: v[0] for k, v in seen.query.items()}
        if query.get("PeriodType") != "day" or query.get("Block") != "president" or query.get("PageSize") != "200":
            return Reply(400, json.dumps({"message": f"unexpected query {sorted(query)}"}))
        items = self.days.get(query.get("Date", ""), [])
        body = answer(items, int(query.get("Index", "1")), 200)
        return Reply(200, json.dumps(body, ensure_ascii=False), {"Content-Type": "application/json; charset=utf-8"})


def pravo_source(base: str, lookback_days: int) -> str:
    """A `[[sources]]` table for the local portal, fast (no retries, no delay)."""
    return source_table("pravo-ru", "pravo", base_url=base, lookback_days=lookback_days, retries=0, host_delay="0s")
