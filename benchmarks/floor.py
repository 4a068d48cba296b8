"""The floor: a bare httpx loop that fetches the same pages and hashes the bodies, nothing more.

    python benchmarks/floor.py URLS CACHE [--in-flight 8]

URLS is a file with one address a line; CACHE a JSON file of ``{url: [etag, last_modified,
sha256]}`` read at start (when it exists) and written at the end. Each page is one GET through
one `httpx.AsyncClient`, with ``If-None-Match``/``If-Modified-Since`` whenever the cache has
a hash for it (as legal-monitor's check sends them), and every 200 body is hashed with
SHA-256. No parsing, no database, no config. It prints one line,
``FLOOR requests=N ok=N not_modified=N changed=N unchanged=N errors=N``.

Run as a script (not ``-m``) so that it imports only the standard library and httpx.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from pathlib import Path

import httpx


async def cycle(urls: list[str], cache: dict[str, list[str | None]], in_flight: int) -> dict[str, int]:
    counts = dict.fromkeys(("requests", "ok", "not_modified", "changed", "unchanged", "errors"), 0)
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        slots = asyncio.Semaphore(in_flight)

        async def one(url: str) -> None:
            etag, modified, digest = cache.get(url, (None, None, None))
            headers = {}
            if digest:
                if etag:
                    headers["If-None-Match"] = etag
                if modified:
                    headers["If-Modified-Since"] = modified
            async with slots:
                try:
                    response = await client.get(url, headers=headers)
                except httpx.HTTPError:
                    counts["errors"] += 1
                    return
            counts["requests"] += 1
            if response.status_code == 304:
                counts["not_modified"] += 1
                return
            if response.status_code != 200:
                counts["errors"] += 1
                return
            counts["ok"] += 1
            new = hashlib.sha256(response.content).hexdigest()
            counts["changed" if new != digest else "unchanged"] += 1
            cache[url] = [response.headers.get("ETag"), response.headers.get("Last-Modified"), new]

        await asyncio.gather(*(one(url) for url in urls))
    return counts


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--in-flight"):
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    urls = Path(argv[0]).read_text().split()
    cache_path = Path(argv[1])
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    counts = asyncio.run(cycle(urls, cache, int(argv[3]) if len(argv) == 4 else 8))
    cache_path.write_text(json.dumps(cache))
    print("FLOOR " + " ".join(f"{k}={v}" for k, v in counts.items()))
    return 1 if counts["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
