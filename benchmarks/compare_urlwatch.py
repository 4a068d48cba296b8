"""Side by side with urlwatch and a bare httpx loop: the same N chart pages, unchanged and fully changed cycles.

    python -m benchmarks.compare_urlwatch --sources 1000 [--runs 3] [--no-conditional] [--no-urlwatch]

Needs the `bench` extra (``pip install -e .[bench]``), which pins urlwatch. Each tool runs
as its own process against the same local server, with its own files in a temporary folder:
urlwatch gets one ``url`` job per page with ``filter: [{css: table.chart}, html2text]``;
legal-monitor one ``html`` source per page with the equivalent selector
(``table.chart tbody tr``); the floor (`benchmarks/floor.py`) is a bare httpx loop that
makes the same requests (conditional when it has a hash, as legal-monitor does) and hashes
the bodies. After a first run of each (to fill the caches), each round changes every page,
runs the three (the fully changed cycle), then runs them again (the unchanged cycle); the
order alternates from round to round. Reported: medians over the rounds of wall time,
user+sys CPU and peak RSS (from wait4), and the ratios legal-monitor / urlwatch and
legal-monitor / floor (both from the medians of the same run).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from .common import (
    PYTHON,
    ROOT,
    Run,
    Server,
    bench_env,
    check_outcomes,
    code_version,
    median,
    monitor_cli,
    run_child,
    start_server,
    table,
    write_config,
)
from .docserver import doc_path

FLOOR = Path(__file__).with_name("floor.py")

URLWATCH_CONFIG = """display:
  new: true
  error: true
  unchanged: false
report:
  stdout:
    enabled: true
    color: false
"""

URLWATCH_JOB = """name: "page {index}"
url: "{url}"
filter:
  - css: table.chart
  - html2text
"""


def urlwatch_command() -> list[str]:
    script = Path(sys.executable).with_name("urlwatch")
    if not script.exists():
        found = shutil.which("urlwatch")
        if not found:
            raise SystemExit("urlwatch is not installed: pip install -e .[bench]")
        script = Path(found)
    return [str(script)]


class Tools:
    """The two tools' files and how to run each once."""

    def __init__(self, work: Path, server: Server, sources: int, host_concurrency: int = 64):
        self.server = server
        self.sources = sources
        self.uw = work / "urlwatch"
        self.lm = work / "legal-monitor"
        self.floor = work / "floor"
        for folder in (self.uw, self.lm, self.floor):
            folder.mkdir(parents=True)
        (self.floor / "urls.txt").write_text("".join(f"{server.base}{doc_path(i, 'html')}\n" for i in range(sources)))
        (self.uw / "urlwatch.yaml").write_text(URLWATCH_CONFIG)
        (self.uw / "urls.yaml").write_text("---\n".join(
            URLWATCH_JOB.format(index=i, url=server.base + doc_path(i, "html")) for i in range(sources)))
        self.lm_config = write_config(self.lm, server.base, sources, "html",
                                      host_concurrency=host_concurrency)
        self.last_check_id = 0
        self.env = bench_env()
        self.uw_env = {**self.env, "HOME": str(self.uw), "XDG_CONFIG_HOME": str(self.uw / ".config"),
                       "XDG_CACHE_HOME": str(self.uw / ".cache")}

    def run(self, tool: str, label: str) -> tuple[Run, dict[str, int], dict[str, int]]:
        """Run one tool once; (resources, server stats, what the tool reported)."""
        self.server.control("reset")
        if tool == "urlwatch":
            log = self.uw / f"{label}.log"
            run = run_child([*urlwatch_command(), "--urls", str(self.uw / "urls.yaml"), "--config",
                             str(self.uw / "urlwatch.yaml"), "--hooks", str(self.uw / "hooks.py"),
                             "--cache", str(self.uw / "cache.db")], cwd=self.uw, env=self.uw_env, stdout=log)
            text = log.read_text(errors="replace")
            seen = {kind.lower(): len(re.findall(rf"^\s*\d+\. {kind}: ", text, re.M))
                    for kind in ("NEW", "CHANGED", "ERROR")}
        elif tool == "floor":
            log = self.floor / f"{label}.log"
            run = run_child([PYTHON, str(FLOOR), str(self.floor / "urls.txt"), str(self.floor / "cache.json")],
                            cwd=self.floor, env=self.env, stdout=log)
            line = next((l for l in log.read_text(errors="replace").splitlines() if l.startswith("FLOOR ")), "FLOOR")
            seen = {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}
        else:
            log = self.lm / f"{label}.log"
            run = run_child([*monitor_cli(), "--config", str(self.lm_config), "check"], cwd=ROOT, env=self.env,
                            stdout=log)
            seen, self.last_check_id, _ = check_outcomes(self.lm / "state" / "monitor.db", self.last_check_id)
        return run, self.server.stats(), seen


Results = dict[tuple[str, str], list[tuple[Run, dict[str, int], dict[str, int]]]]
"""Each (tool, cycle)'s runs: resources, server stats, what the tool reported."""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.no_urlwatch:
        urlwatch_command()
    tools = ("legal-monitor", "floor") if args.no_urlwatch else ("urlwatch", "legal-monitor", "floor")
    results, problems = run_rounds(args, tools)
    # Every run must have seen what was there to see, or the timings compare different work.
    for (tool, cycle), runs in results.items():
        for _, _, seen in runs:
            problem = unexpected(tool, cycle, seen, args)
            if problem:
                problems.append(problem)
    return summarise(args, tools, results, problems)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare_urlwatch", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000, help="number of pages (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds per tool and cycle (default 3)")
    parser.add_argument("--no-conditional", action="store_true", help="server ignores If-None-Match/If-Modified-Since")
    parser.add_argument("--host-concurrency", type=int, default=64,
                        help="legal-monitor's host_concurrency for the local host (default 64)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--no-urlwatch", action="store_true",
                        help="legal-monitor and the floor only (quicker, so more rounds fit)")
    return parser.parse_args(argv)


def run_rounds(args: argparse.Namespace, tools: tuple[str, ...]) -> tuple[Results, list[str]]:
    """A first run of each tool, then per round a fully changed and an unchanged cycle of
    each (the order alternating); each run printed as it ends. The results and the problems."""
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lm-vs-urlwatch-"))
    server = start_server(args.sources, "html", args.no_conditional)
    results: Results = {}
    problems: list[str] = []

    def record(tool: str, cycle: str, label: str) -> None:
        run, stats, seen = tools_.run(tool, label)
        results.setdefault((tool, cycle), []).append((run, stats, seen))
        print(f"  {label:<28} {tool:<14} wall {run.wall:6.2f}s  cpu {run.cpu:6.2f}s  peak RSS {run.rss_mb:6.1f} MB"
              f"  requests {stats['requests']}  304s {stats['not_modified']}  {seen}", flush=True)
        if run.returncode not in (0,):
            problems.append(f"{tool} {label}: exit code {run.returncode}")

    try:
        tools_ = Tools(work, server, args.sources, args.host_concurrency)
        for tool in tools:
            record(tool, "first", "first run")
        for round_ in range(args.runs):
            order = tools if round_ % 2 == 0 else tools[::-1]
            server.control("change", fraction=1)
            for tool in order:
                record(tool, "changed", f"round {round_ + 1} fully changed")
            for tool in order:
                record(tool, "unchanged", f"round {round_ + 1} unchanged")
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return results, problems


def unexpected(tool: str, cycle: str, seen: dict[str, int], args: argparse.Namespace) -> str | None:
    """What is wrong with what one run of `tool` reported in `cycle`, None when it saw every page."""
    if tool == "urlwatch":
        expect = {"first": ("new", args.sources), "changed": ("changed", args.sources),
                  "unchanged": ("changed", 0)}[cycle]
        if seen.get(expect[0]) != expect[1] or seen.get("error"):
            return f"urlwatch {cycle}: reported {seen}, expected {expect[0]}={expect[1]}"
    elif tool == "floor":
        wanted = ("changed" if cycle != "unchanged" else
                  "unchanged" if args.no_conditional else "not_modified")
        if seen.get(wanted) != args.sources or seen.get("errors"):
            return f"floor {cycle}: reported {seen}, expected {wanted}={args.sources}"
    else:
        wanted = {"first": "baseline", "changed": "changed", "unchanged": "unchanged"}[cycle]
        if seen.get(wanted) != args.sources:
            return f"legal-monitor {cycle}: outcomes {seen}, expected {wanted}={args.sources}"
    return None


def summarise(args: argparse.Namespace, tools: tuple[str, ...], results: Results, problems: list[str]) -> int:
    """Print the medians, the ratios and the summary line; the exit code."""
    mode = "no-conditional" if args.no_conditional else "conditional"
    rows, ratios, floors = [], {}, {}
    for cycle in ("first", "changed", "unchanged"):
        medians = {}
        for tool in tools:
            runs = results[(tool, cycle)]
            medians[tool] = {"wall": median([r.wall for r, _, _ in runs]), "cpu": median([r.cpu for r, _, _ in runs]),
                             "rss": median([r.rss_mb for r, _, _ in runs])}
            rows.append([cycle, tool, len(runs), medians[tool]["wall"], medians[tool]["cpu"], medians[tool]["rss"],
                         runs[-1][1]["requests"], runs[-1][1]["not_modified"]])
        ratios[cycle] = {k: medians["legal-monitor"][k] / medians["urlwatch"][k] if "urlwatch" in medians
                         else float("nan") for k in ("wall", "cpu", "rss")}
        floors[cycle] = {k: medians["legal-monitor"][k] / medians["floor"][k] for k in ("wall", "cpu", "rss")}
        for label, ratio in (("ratio lm/uw", ratios[cycle]), ("ratio lm/floor", floors[cycle])):
            if label == "ratio lm/uw" and args.no_urlwatch:
                continue
            rows.append([cycle, label, "", ratio["wall"], ratio["cpu"], ratio["rss"], "", ""])
    print(f"\n{args.sources} pages, server {mode}, legal-monitor host_concurrency {args.host_concurrency}; medians of {args.runs} runs (first run: 1); code {code_version()}")
    print(table(["cycle", "tool", "runs", "wall s", "cpu s", "peak RSS MB", "requests", "304s"], rows))
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    u, c, f = ratios["unchanged"], ratios["changed"], floors["unchanged"]
    # Neighbours in one round share the machine's load: the median of the rounds' own ratios
    # is steadier than the ratio of the medians when the machine is shared.
    paired = median([lm.cpu / fl.cpu for (lm, _, _), (fl, _, _) in zip(results[("legal-monitor", "unchanged")],
                                                                       results[("floor", "unchanged")], strict=False)])
    print(f"unchanged cycle, legal-monitor cpu / floor cpu, median of the {args.runs} rounds' own ratios: {paired:.2f}")
    print(f"SUMMARY sources={args.sources} {mode}: unchanged lm/uw wall {u['wall']:.3f} (speed-up x{1 / u['wall']:.2f}) "
          f"cpu {u['cpu']:.3f} (x{1 / u['cpu']:.2f}) rss {u['rss']:.2f}; unchanged lm/floor wall {f['wall']:.3f} "
          f"cpu {f['cpu']:.3f} (per round {paired:.3f}) rss {f['rss']:.2f}; fully changed wall {c['wall']:.3f} "
          f"(speed-up x{1 / c['wall']:.2f}) cpu {c['cpu']:.3f} rss {c['rss']:.2f}" + ("; CHECK WARNINGS" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
