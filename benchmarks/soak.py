"""Soak: the daemon on many sources with short intervals for minutes; RSS, DB growth, errors.

    python -m benchmarks.soak [--sources 200] [--minutes 3] [--interval 1s] [--warmup 60]

Every document stays unchanged, so after warm-up each check may add only its check-log
row: the script accounts for every byte the database grows by, fits a line through the
daemon's RSS after warm-up (it must not grow), and reads the daemon's JSON log for errors.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from .common import ROOT, bench_env, code_version, monitor_cli, start_server, stop_process, table, write_config

TABLES = ("checks", "records", "snapshots", "documents", "events", "deliveries")


def used_bytes(db: Path) -> tuple[int, dict[str, int]]:
    """Bytes in used pages (WAL included, as a reader sees it) and row counts per table."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        pages = conn.execute("pragma page_count").fetchone()[0]
        free = conn.execute("pragma freelist_count").fetchone()[0]
        size = conn.execute("pragma page_size").fetchone()[0]
        rows = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()
    return (pages - free) * size, rows


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--interval", default="1s")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before measuring")
    parser.add_argument("--keep", type=Path, help="keep the config, database and log here")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="lm-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    server = start_server(args.sources)
    config = write_config(work, server.base, args.sources, "mixed", interval=args.interval, host_concurrency=16)
    db = work / "state" / "monitor.db"
    log_path = work / "daemon.log"
    samples: list[tuple[float, float, int, dict[str, int]]] = []
    with open(log_path, "wb") as log:
        daemon = subprocess.Popen([*monitor_cli(), "--config", str(config), "--log-format", "json", "run"],
                                  cwd=ROOT, env=bench_env(), stdout=subprocess.DEVNULL, stderr=log)
        proc = psutil.Process(daemon.pid)
        start = time.monotonic()
        end = start + args.minutes * 60
        try:
            while time.monotonic() < end and daemon.poll() is None:
                time.sleep(5)
                if not db.exists():
                    continue
                used, rows = used_bytes(db)
                samples.append((time.monotonic() - start, proc.memory_info().rss / 2**20, used, rows))
        finally:
            code = stop_process(daemon, timeout=60)
            server.stop()

    records = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    other_lines = [line for line in log_path.read_text().splitlines() if line and not line.startswith("{")]
    problems = [r for r in records if r["level"] in ("error", "critical") or "exception" in r]
    failed_checks = [r for r in records if r.get("outcome") == "failed"]
    missed = [r for r in records if "missed the scheduled run" in r["message"]]
    warm = [s for s in samples if s[0] >= args.warmup]
    if len(warm) < 2:
        print("not enough samples after warm-up; run longer")
        return 1
    first, last = warm[0], warm[-1]
    rss_slope = slope([(t / 60, rss) for t, rss, _, _ in warm])
    checks = last[3]["checks"] - first[3]["checks"]
    growth = last[2] - first[2]
    other_rows = {t: last[3][t] - first[3][t] for t in TABLES if t != "checks"}
    print(table(["t s", "RSS MB", "db used KB", *TABLES],
                [[round(t), rss, used // 1024, *(rows[t] for t in TABLES)]
                 for t, rss, used, rows in samples[:: max(1, len(samples) // 12)] + [samples[-1]]]))
    print()
    print(table(["measure (after warm-up)", "value"], [
        ["sources / interval", f"{args.sources} / {args.interval}"],
        ["duration measured s", round(last[0] - first[0])],
        ["checks logged", checks],
        ["checks per second", round(checks / max(1, last[0] - first[0]), 1)],
        ["RSS at warm-up / end MB", f"{first[1]:.1f} / {last[1]:.1f}"],
        ["RSS slope MB/min", f"{rss_slope:+.3f}"],
        ["db growth bytes", growth],
        ["db growth per check B", round(growth / checks, 1) if checks else "-"],
        ["rows added besides checks", json.dumps(other_rows)],
        ["failed checks / missed runs", f"{len(failed_checks)} / {len(missed)}"],
        ["errors or exceptions in log", len(problems) + len(other_lines)],
        ["exit code on SIGTERM", code],
    ]))
    print(f"\ncode {code_version()}; work folder {work}")
    print(f"SUMMARY soak sources={args.sources} interval={args.interval} minutes={args.minutes}: "
          f"rss {first[1]:.1f}->{last[1]:.1f} MB (slope {rss_slope:+.3f} MB/min), "
          f"db {growth / checks if checks else 0:.0f} B/check over {checks} checks, "
          f"other rows {sum(other_rows.values())}, errors {len(problems) + len(other_lines)}, exit {code}")
    return 0 if code == 0 and not problems and not other_lines else 1


if __name__ == "__main__":
    raise SystemExit(main())
