"""Check-cycle benchmark: first, unchanged and partly changed cycles of N sources on 127.0.0.1.

    python -m benchmarks.cycle --sources 1000 [--changed 0.1] [--no-conditional]
                               [--paths cli,daemon] [--mix mixed|html] [--idle 15]

Each path gets a fresh state database and runs three cycles, each in its own process so
the kernel's accounting (wait4) gives that cycle's wall time, user+sys CPU and peak RSS:
- ``cli``: ``python -m monitor --config X check`` (what `legal-monitor check` runs);
- ``daemon``: ``python -m benchmarks.jobpath X``, the daemon's job (`Daemon._check`) for
  every source at once, as the scheduler fires it.
After the cycles, ``legal-monitor run`` is started on the CLI path's database with a one-day
interval (nothing is due) and its RSS is sampled for ``--idle`` seconds.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from .common import (
    PYTHON,
    ROOT,
    Server,
    bench_env,
    check_outcomes,
    code_version,
    db_size,
    monitor_cli,
    run_child,
    start_server,
    stop_process,
    table,
    write_config,
)

PATHS = {"cli": lambda config: [*monitor_cli(), "--config", str(config), "check"],
         "daemon": lambda config: [PYTHON, "-m", "benchmarks.jobpath", str(config)]}


def run_path(path: str, server: Server, folder: Path, sources: int, changed: float, mix: str,
             host_concurrency: int) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    config = write_config(folder, server.base, sources, mix, host_concurrency=host_concurrency)
    db = folder / "state" / "monitor.db"
    results, last_id, used_before = [], 0, 0
    for scenario in ("first", "unchanged", f"changed {changed:g}"):
        if scenario.startswith("changed"):
            server.control("change", fraction=changed)
        server.control("reset")
        cpu_before = server.cpu()
        run = run_child(PATHS[path](config), cwd=ROOT, env=bench_env(), stdout=folder / f"{path}-{scenario[:5]}.log")
        server_cpu = server.cpu() - cpu_before
        stats = server.stats()
        outcomes, last_id_new, errors = check_outcomes(db, last_id)
        file_bytes, used = db_size(db)
        checked = sum(outcomes.values())
        results.append({
            "path": path, "scenario": scenario, "wall": run.wall, "cpu": run.cpu, "rss_mb": run.rss_mb,
            "requests": stats["requests"], "not_modified": stats["not_modified"], "server_cpu": server_cpu,
            "db_mb": file_bytes / 1e6, "growth_per_source": (used - used_before) / sources if used_before else None,
            "checked": checked, "failed": outcomes.get("failed", 0) + outcomes.get("partial", 0), "outcomes": outcomes, "rc": run.returncode,
            "errors": errors})
        last_id, used_before = last_id_new, used
        if checked != sources or outcomes.get("failed") or outcomes.get("partial") or run.returncode:
            print(f"warning: {path} {scenario}: exit code {run.returncode}, {checked} of {sources} sources logged "
                  f"a check, outcomes {outcomes}; {errors}", file=sys.stderr)
    return results


def idle_daemon(config: Path, seconds: float) -> dict:
    """Start `legal-monitor run` where nothing is due; sample its RSS for `seconds`."""
    db = config.parent / "state" / "monitor.db"
    _, before, _ = check_outcomes(db, 0)
    log = open(config.parent / "daemon-idle.log", "wb")
    process = subprocess.Popen([*monitor_cli(), "--config", str(config), "run"], cwd=ROOT, env=bench_env(),
                               stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    samples = []
    try:
        watched = psutil.Process(process.pid)
        while time.monotonic() - started < seconds and process.poll() is None:
            samples.append(watched.memory_info().rss)
            time.sleep(0.25)
    finally:
        stop_process(process, timeout=15)
        log.close()
    _, after, _ = check_outcomes(db, 0)
    return {"rss_mb": samples[-1] / 2**20 if samples else float("nan"),
            "peak_mb": max(samples) / 2**20 if samples else float("nan"), "checks_run": after - before,
            "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cycle", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000, help="number of sources (default 1000)")
    parser.add_argument("--changed", type=float, default=0.1, help="fraction changed in the third cycle (default 0.1)")
    parser.add_argument("--no-conditional", action="store_true", help="server ignores If-None-Match/If-Modified-Since")
    parser.add_argument("--paths", default="cli,daemon", help="comma-separated: cli, daemon (default both)")
    parser.add_argument("--mix", choices=("mixed", "html"), default="mixed",
                        help="mixed: 8 html : 1 json : 1 xml (default); html: html pages only")
    parser.add_argument("--host-concurrency", type=int, default=64, help="host_concurrency for the local host (default 64)")
    parser.add_argument("--idle", type=float, default=15.0, help="seconds to watch the idle daemon (0: skip)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    paths = [p for p in args.paths.split(",") if p]
    if any(p not in PATHS for p in paths) or not 0 <= args.changed <= 1:
        parser.error("--paths takes cli and/or daemon; --changed takes 0..1")

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lm-bench-"))
    server = start_server(args.sources, args.mix, args.no_conditional)
    results, idle = [], None
    try:
        for path in paths:
            results += run_path(path, server, work / path, args.sources, args.changed, args.mix,
                                args.host_concurrency)
        if args.idle > 0 and paths:
            idle = idle_daemon(work / paths[0] / "monitor.toml", args.idle)
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    mode = "no-conditional" if args.no_conditional else "conditional"
    print(f"\n{args.sources} sources ({args.mix}), server {mode}, host_concurrency {args.host_concurrency}; one process per cycle; code {code_version()}")
    print(table(["path", "cycle", "wall s", "cpu s", "peak RSS MB", "requests", "304s", "server cpu s",
                 "db MB", "growth B/src", "failed"],
                [[r["path"], r["scenario"], r["wall"], r["cpu"], r["rss_mb"], r["requests"], r["not_modified"],
                  r["server_cpu"], r["db_mb"], "-" if r["growth_per_source"] is None else f"{r['growth_per_source']:.0f}",
                  r["failed"]] for r in results]))
    if idle:
        print(f"idle daemon ({idle['seconds']:g}s, nothing due): RSS {idle['rss_mb']:.1f} MB "
              f"(peak {idle['peak_mb']:.1f} MB), checks run while idle: {idle['checks_run']}")
    by = {(r["path"], r["scenario"].split()[0]): r for r in results}
    summary = [f"sources={args.sources}", mode]
    for path in paths:
        first, same, diff = by[(path, "first")], by[(path, "unchanged")], by[(path, "changed")]
        summary.append(f"{path}: first {first['wall']:.1f}s/{first['rss_mb']:.0f}MB, unchanged {same['wall']:.2f}s "
                       f"cpu {same['cpu']:.2f}s {same['growth_per_source']:.0f}B/src, changed {diff['wall']:.2f}s "
                       f"peakRSS {max(first['rss_mb'], same['rss_mb'], diff['rss_mb']):.0f}MB")
    if idle:
        summary.append(f"idle daemon {idle['rss_mb']:.0f}MB")
    print("SUMMARY " + "; ".join(summary))
    return 1 if any(r["failed"] or r["rc"] or r["checked"] != args.sources for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
