"""Event floods: alerts sent when one check turns N rows into N new treaty events.

    python -m benchmarks.flood [--rows 2000] [--release]

A JSON source on 127.0.0.1 lists 3 parties for its baseline, then 3 + N parties, each row
"Ratification by State n" (so each new row is a new ratification event). A webhook channel
with `ops = true` posts to a receiver in this process. The script runs `legal-monitor check`
(the CLI, which also runs the delivery step) for the baseline and for the flood, and counts
what the receiver got from the flood check, by event type. With `--release` it then runs
`legal-monitor release --all` and counts again (each held event should arrive exactly once).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path

from .common import ROOT, bench_env, code_version, monitor_cli, run_child, table
from .latency import Receiver

CONFIG = """[state]
path = "state.db"

[defaults]
retries = 0
host_delay = "0s"
jitter = "0s"

[[sources]]
name = "parties"
kind = "json"
url = "http://127.0.0.1:{port}/p.json"
key = "code"
fields = {{ subject = "state", title = "title" }}

[[channels]]
name = "desk"
kind = "webhook"
url = "http://127.0.0.1:{port}/hook"
ops = true
"""


class Site(Receiver):
    """The webhook receiver, also serving the JSON source: `rows` parties, one per row."""

    rows = 3

    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes):
        if target.startswith("/hook"):
            return super().respond(method, target, headers, body)
        rows = [{"code": f"S{n:05d}", "state": f"State {n}", "title": f"Ratification by State {n}"}
                for n in range(self.rows)]
        return 200, [("Content-Type", "application/json")], json.dumps(rows).encode()

    def payloads(self, start: int = 0) -> list[dict]:
        return [payload for _, payload in self.received[start:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="new rows in the flood (default 2000)")
    parser.add_argument("--release", action="store_true", help="then release the held events")
    parser.add_argument("--keep", metavar="DIR", help="keep config, database and outputs here")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="lm-flood-"))
    folder.mkdir(parents=True, exist_ok=True)
    site = Site()
    config = folder / "monitor.toml"
    config.write_text(CONFIG.format(port=site.port), encoding="utf-8")
    cli = [*monitor_cli(), "--config", str(config)]
    env = bench_env()
    rows = []
    try:
        baseline = run_child([*cli, "check"], cwd=ROOT, env=env, stdout=folder / "baseline.out")
        site.rows = 3 + args.rows
        before = len(site.received)
        flood = run_child([*cli, "check"], cwd=ROOT, env=env, stdout=folder / "flood.out")
        got = Counter(event["type"] for event in site.payloads(before))
        with sqlite3.connect(folder / "state.db") as conn:
            stored = conn.execute("select count(*) from events where type = 'ratification'").fetchone()[0]
        rows.append(["flood check", flood.returncode, flood.wall, flood.rss_mb, stored,
                     got["ratification"], got["events_held"]])
        if args.release:
            before = len(site.received)
            release = run_child([*cli, "release", "--all"], cwd=ROOT, env=env, stdout=folder / "release.out")
            after = [event for event in site.payloads(before) if event["type"] == "ratification"]
            rows.append(["release --all", release.returncode, release.wall, release.rss_mb, stored,
                         len(after), len(site.payloads(before)) - len(after)])
            distinct = len({event["id"] for event in after})
        print(f"code {code_version()}; {args.rows} new rows in one check; baseline check exit {baseline.returncode}")
        print(table(["step", "exit", "wall s", "peak RSS MB", "events stored", "treaty alerts sent",
                     "ops alerts sent"], rows))
        summary = (f"SUMMARY flood rows={args.rows} treaty_alerts={rows[0][5]} ops_alerts={rows[0][6]} "
                   f"stored={rows[0][4]}")
        if args.release:
            summary += f" released_alerts={rows[1][5]} distinct={distinct}"
        print(summary)
    finally:
        site.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
