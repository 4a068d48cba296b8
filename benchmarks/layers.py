"""What each layer of an unchanged cycle costs above bare httpx, in one process, with no network.

    python -m benchmarks.layers [--sources 1000] [--runs 7]

Every request is answered in memory by an `httpx.MockTransport` (the chart pages of
`benchmarks/docserver.py`, with an ETag; 304 when the request sends it back), so the kernel's
socket work, which both sides pay alike and which swings with the machine's load, is left
out. A first `check_all` fills a state database; then each round measures, with
`time.process_time`, one pass over every page by:

- **floor**: a bare `httpx.AsyncClient`, 8 requests in flight, conditional headers (as `benchmarks/floor.py`);
- **fetcher**: `Fetcher.request` per page with the same headers (pools, host limits, retries, deadlines, capped read);
- **context**: `SourceContext.get` per source (validators, body-hash short-cut, check deadline);
- **check_all**: the whole unchanged cycle (state reads, `check_source`, the write per source).

Reported: the median over the rounds of each, and of each one's excess over the floor in the
same round, per source. The processes of `compare_urlwatch` add start-up (imports, config)
and the socket work on top of these.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx

from monitor.config import load_config
from monitor.net.context import SourceContext
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import check_all
from monitor.store.state import open_state

from .common import code_version, median, table, write_config
from .docserver import render_html

BASE = "http://pages.bench.test"


def _transport(pages: int) -> httpx.MockTransport:
    bodies: dict[str, bytes] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        index = int(request.url.path.rsplit("/", 1)[1])
        etag = f'"{index}-1"'
        if request.headers.get("If-None-Match") == etag:
            return httpx.Response(304, headers={"ETag": etag}, stream=httpx.ByteStream(b""))
        body = bodies.get(request.url.path) or bodies.setdefault(request.url.path, render_html(index, 1))
        return httpx.Response(200, headers={"ETag": etag, "Content-Type": "text/html; charset=utf-8"},
                              stream=httpx.ByteStream(body))
    return httpx.MockTransport(answer)


class _MockedClient(httpx.AsyncClient):
    """The client the fetcher builds, with the in-memory transport in place of the network."""

    transport: httpx.MockTransport

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["transport"] = self.transport
        super().__init__(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.layers", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    transport = _transport(args.sources)
    _MockedClient.transport = transport
    bare = httpx.AsyncClient
    httpx.AsyncClient = _MockedClient  # type: ignore[misc]  # the class the fetcher builds its pools from
    work = Path(tempfile.mkdtemp(prefix="lm-layers-"))
    try:
        config = load_config(write_config(work, BASE, args.sources, "html"))
        state = open_state(config.state_path)
        first = asyncio.run(check_all(config, state))
        if {r.outcome for r in first} != {"baseline"}:
            raise SystemExit(f"the first cycle did not baseline every source: {[r.error for r in first][:3]}")
        documents = {s.name: state.documents(s.name) for s in config.sources}
        conditional = {s.name: {"If-None-Match": f'"{i}-1"'} for i, s in enumerate(config.sources)}

        async def floor() -> None:
            httpx.create_ssl_context()  # what a client with its own transport loads (the fetcher does too)
            async with bare(transport=transport) as client:
                slots = asyncio.Semaphore(8)

                async def one(url: str, headers: dict[str, str]) -> None:
                    async with slots:
                        response = await client.get(url, headers=headers)
                    assert response.status_code == 304
                await asyncio.gather(*(one(s.options.url, conditional[s.name]) for s in config.sources))

        async def fetcher() -> None:
            async with Fetcher(config.sources) as fetch:
                async def one(source: Any) -> None:
                    answer = await fetch.request(source, "GET", source.options.url, headers=conditional[source.name])
                    assert answer.status == 304
                await asyncio.gather(*(one(s) for s in config.sources))

        async def context() -> None:
            async with Fetcher(config.sources) as fetch:
                async def one(source: Any) -> None:
                    ctx = SourceContext(fetch, source, documents[source.name], {},
                                        partial(state.snapshot_body, source.name))
                    assert not (await ctx.get(source.options.url)).changed
                await asyncio.gather(*(one(s) for s in config.sources))

        async def cycle() -> None:
            reports = await check_all(config, state)
            assert {r.outcome for r in reports} == {"unchanged"}, {r.outcome for r in reports}

        passes: dict[str, Callable[[], Awaitable[None]]] = {
            "floor": floor, "fetcher": fetcher, "context": context, "check_all": cycle}
        times: dict[str, list[float]] = {name: [] for name in passes}
        for round_ in range(args.runs):
            order = list(passes) if round_ % 2 == 0 else list(passes)[::-1]
            for name in order:
                start = time.process_time()
                asyncio.run(passes[name]())
                times[name].append(time.process_time() - start)
        state.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = []
    for name, values in times.items():
        excess = [value - floor_ for value, floor_ in zip(values, times["floor"], strict=False)]
        rows.append([name, median(values), median(excess) * 1000, median(excess) / args.sources * 1e6])
    print(f"\n{args.sources} html sources, unchanged (304), in memory; medians of {args.runs} rounds; "
          f"code {code_version()}")
    print(table(["pass", "cpu s", "above floor ms", "µs per source"], rows))
    summary = " ".join(f"{row[0]}={row[1]:.3f}s(+{row[2]:.0f}ms)" for row in rows)
    print(f"SUMMARY sources={args.sources} {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
