"""The cost of loading a config: N sources read, validated and built into their settings.

    python -m benchmarks.config_build [--sources 1000] [--mix html] [--runs 15]

Writes the same config file as `compare_urlwatch` (one source per document, the bench
defaults) and times `load_config` on it in this process (CPU time: other processes on the machine do not count), after one unmeasured load that
compiles the selectors and fills the caches. Reported: the median and the fastest load, and
the median per source. No network: the addresses are only parsed. To compare two trees, run
it from each in turn (``cd DIR && python -m benchmarks.config_build``), alternating.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from monitor.config import load_config

from .common import code_version, write_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--mix", default="html", help="document kinds, as in compare_urlwatch (html, json, …)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = write_config(Path(folder), "http://127.0.0.1:9", args.sources, args.mix)
        load_config(path)
        times = []
        for _ in range(args.runs):
            start = time.process_time()
            config = load_config(path)
            times.append(time.process_time() - start)
    assert len(config.sources) == args.sources
    median = statistics.median(times)
    print(f"config_build  code {code_version()}  {args.sources} {args.mix} sources  runs {args.runs}")
    print(f"  load_config  median {median * 1000:8.1f} ms  fastest {min(times) * 1000:8.1f} ms  "
          f"per source {median / args.sources * 1e6:6.1f} µs")
    print(f"SUMMARY sources={args.sources} mix={args.mix} load_config cpu median {median * 1000:.1f} ms "
          f"fastest {min(times) * 1000:.1f} ms per_source {median / args.sources * 1e6:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
