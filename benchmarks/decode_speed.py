"""Time to fetch and decode an 11 MB page sent gzipped, through the monitor's fetcher.

    python benchmarks/decode_speed.py [--runs 15]

Run as a script (not with -m) so that PYTHONPATH picks the monitor package to time;
`benchmarks.hostile` runs it for the code under test. Prints the median milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from monitor.config import SourceConfig
from monitor.net.fetch import Fetcher
from monitor.options import typed_options
from monitor.sources.document import DocumentSource

PAGE = ("<tr><td class='state'>France</td><td>2001-01-01</td><td>signed</td></tr>\n" * 150000).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    body = gzip.compress(PAGE, 6)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/page"
    config = SourceConfig(name="s", kind="html", host_delay=0, retries=0, max_bytes=100_000_000,
                          options=typed_options(DocumentSource, url=url))

    async def fetch_all() -> list[float]:
        times = []
        async with Fetcher([config]) as fetcher:
            for _ in range(runs):
                start = time.perf_counter()
                answer = await fetcher.request(config, "GET", url)
                times.append(time.perf_counter() - start)
                assert answer.content == PAGE
        return times

    median = statistics.median(asyncio.run(fetch_all()))
    server.shutdown()
    print(f"{median * 1000:.1f}")


if __name__ == "__main__":
    main()
