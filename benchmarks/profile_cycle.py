"""Profile one unchanged `check` cycle of N html sources with cProfile.

    python -m benchmarks.profile_cycle [--sources 1000] [--top 40] [--no-conditional] [--keep DIR]

Starts the document server, runs `python -m monitor --config X check` once to fill the state,
then once more under ``python -m cProfile -o DIR/unchanged.prof`` (nothing changed on the
server), and prints the top functions by cumulative and by own time. Open the file again
with ``python -m pstats DIR/unchanged.prof``.
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

from .common import PYTHON, ROOT, bench_env, check_outcomes, code_version, run_child, start_server, write_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_cycle", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--top", type=int, default=40, help="functions shown per ordering (default 40)")
    parser.add_argument("--no-conditional", action="store_true", help="server ignores If-None-Match/If-Modified-Since")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lm-profile-"))
    work.mkdir(parents=True, exist_ok=True)
    server = start_server(args.sources, "html", args.no_conditional)
    try:
        config = write_config(work, server.base, args.sources, "html")
        check = ["-m", "monitor", "--config", str(config), "check"]
        first = run_child([PYTHON, *check], cwd=ROOT, env=bench_env(), stdout=work / "first.log")
        _, last, _ = check_outcomes(work / "state" / "monitor.db", 0)
        profile = work / "unchanged.prof"
        run = run_child([PYTHON, "-m", "cProfile", "-o", str(profile), *check], cwd=ROOT, env=bench_env(),
                        stdout=work / "unchanged.log")
        seen, _, _ = check_outcomes(work / "state" / "monitor.db", last)
    finally:
        server.stop()
    print(f"{args.sources} html sources, code {code_version()}; first cycle exit {first.returncode}, "
          f"profiled unchanged cycle exit {run.returncode}, outcomes {seen}, "
          f"wall {run.wall:.2f}s cpu {run.cpu:.2f}s (under the profiler)")
    stats = pstats.Stats(str(profile))
    for order in ("cumulative", "tottime"):
        stats.sort_stats(order).print_stats(args.top)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if run.returncode == 0 and seen.get("unchanged") == args.sources else 1


if __name__ == "__main__":
    sys.exit(main())
