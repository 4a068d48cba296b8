"""Instructions, not seconds: an unchanged cycle of legal-monitor and of the bare httpx floor under callgrind.

    python -m benchmarks.instructions [--sources 1000] [--runs 1]

CPU seconds of one 2-second process swing by a third from run to run on a shared machine,
more than the difference being measured. Valgrind's callgrind counts the instructions a
process executes, which hardly depend on the machine's load: start-up gives the same count
to within a fraction of a percent. A cycle's count still moves by a few percent from run to
run: the floor's unchanged cycle counts either about 4.07 G or, in some runs, about 4.24 G,
with the same hash seed as without one, so timing decides it (how many answers each turn of
the event loop finds ready). Each counted run gives both processes one fixed string hash seed
(0, 1, 2 … by default), so that hash order differs between runs but not within a pair. The
ratios to quote are the median of each run's pair over `--runs 3` or more, and legal-monitor's
median over the least floor count seen (the stricter of the two). This runs, against one local
document server, `legal-monitor check` over N html sources (as `compare_urlwatch` does) and
`benchmarks/floor.py` over the same pages, each once to fill its state and once unchanged
(every page answers 304) before the counted runs, and prints the instructions of each part:

- **start-up**: the interpreter and the imports (`import monitor.cli.commands` against the floor's
  `import asyncio, hashlib, json, httpx`), then legal-monitor's config load;
- **cycle**: the whole unchanged run, whose ratio legal-monitor ÷ floor is the one to quote.

Needs valgrind (Debian's `valgrind` package); the runs take about a minute each.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import (
    PYTHON,
    ROOT,
    bench_env,
    check_outcomes,
    code_version,
    median,
    run_child,
    start_server,
    table,
    write_config,
)
from .docserver import doc_path

FLOOR = Path(__file__).with_name("floor.py")


def instructions(command: list[str], cwd: Path, seed: int | None = None) -> int:
    """The instructions `command` executed (callgrind's total) under hash seed `seed` (None: a
    random one), or SystemExit when it failed."""
    env = bench_env()
    if seed is not None:
        env["PYTHONHASHSEED"] = str(seed)
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=1800)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"{' '.join(command[:4])} … failed under callgrind (exit {done.returncode}):\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1, help="counted runs of each (default 1; quote 3 or more)")
    parser.add_argument("--seed", type=int, default=0,
                        help="hash seed of the first counted run, the next run's is one more (default 0); "
                             "-1 leaves each process a random one")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lm-instructions-"))
    work.mkdir(parents=True, exist_ok=True)
    server = start_server(args.sources, "html")
    counts: dict[str, list[int]] = {}
    try:
        config = write_config(work, server.base, args.sources, "html")
        urls = work / "urls.txt"
        urls.write_text("".join(f"{server.base}{doc_path(i, 'html')}\n" for i in range(args.sources)))
        monitor = [PYTHON, "-m", "monitor", "--config", str(config), "check"]
        floor = [PYTHON, str(FLOOR), str(urls), str(work / "cache.json")]
        for command in (monitor, floor, monitor, floor):  # fill the state and caches, then once unchanged
            run_child(command, cwd=ROOT, env=bench_env(), stdout=work / "warm.log")
        _, last, _ = check_outcomes(work / "state" / "monitor.db", 0)
        parts = {
            "floor: interpreter and imports": [PYTHON, "-c", "import asyncio, hashlib, json, httpx"],
            "legal-monitor: interpreter and imports": [PYTHON, "-c", "import monitor.cli.commands"],
            "legal-monitor: imports and config": [PYTHON, "-c", "import sys, monitor.cli.commands\n"
                                                  "from monitor.config import load_config\n"
                                                  "load_config(sys.argv[1])", str(config)],
            "floor: unchanged cycle": floor,
            "legal-monitor: unchanged cycle": monitor,
        }
        for run in range(args.runs):
            seed = None if args.seed < 0 else args.seed + run
            for label, command in parts.items():
                counts.setdefault(label, []).append(instructions(command, ROOT, seed))
                print(f"  {label:<42} {counts[label][-1] / 1e9:6.3f} G instructions", flush=True)
        seen, _, _ = check_outcomes(work / "state" / "monitor.db", last)
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if seen.get("unchanged") != args.sources * args.runs:
        print(f"warning: legal-monitor's counted cycles reported {seen}, expected only 'unchanged'", file=sys.stderr)
        return 1
    giga = {label: median(values) / 1e9 for label, values in counts.items()}
    floor_cycle, lm_cycle = giga["floor: unchanged cycle"], giga["legal-monitor: unchanged cycle"]
    rows = [[label, value, value / floor_cycle] for label, value in giga.items()]
    lm_runs, floor_runs = counts["legal-monitor: unchanged cycle"], counts["floor: unchanged cycle"]
    paired = [lm / floor for lm, floor in zip(lm_runs, floor_runs, strict=False)]
    least_floor = min(floor_runs) / 1e9
    print(f"\n{args.sources} html sources, unchanged (304), median of {args.runs} counted run(s), "
          f"hash seeds {'random' if args.seed < 0 else f'{args.seed}–{args.seed + args.runs - 1}'}; "
          f"code {code_version()}")
    print(table(["part", "G instructions", "÷ floor cycle"], rows))
    print(f"legal-monitor ÷ floor, each run: {', '.join(f'{ratio:.3f}' for ratio in paired)}")
    print(f"SUMMARY sources={args.sources} unchanged cycle instructions: legal-monitor {lm_cycle:.3f} G, "
          f"floor {floor_cycle:.3f} G, legal-monitor / floor {lm_cycle / floor_cycle:.3f} "
          f"(median of each run's ratio {median(paired):.3f}; over the least floor count "
          f"{least_floor:.3f} G: {lm_cycle / least_floor:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
