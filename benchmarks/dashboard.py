"""Dashboard page times on a large history: `legal-monitor serve` over a database of N events.

    python -m benchmarks.dashboard [--events 100000] [--requests 25] [--keep DIR]

Builds a state database with the real schema (every migration), N events over three years
(40 % treaty actions, the rest record changes, 300 states, three sources, keys shaped like
the CoE and UN sources' "<treaty>:…"), and a CoE treaty with 47 records. Then runs
`legal-monitor serve` as its own process on 127.0.0.1 and times each page from this
process: a fresh connection per request, wall time until the whole body is read, median
of `--requests` after 3 warm-up requests. Each path is timed twice: on the database as it
is, and on a copy without the dashboard's indexes (the ratio is from the same run).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from monitor.events import TREATY_TYPES as ALL_TREATY_TYPES

from .common import ROOT, bench_env, code_version, median, monitor_cli, stop_process, table

TREATY_TYPES = ["signature", "ratification", "entry_into_force", "denunciation", "suspension", "reservation"]
DAY = 86400.0
DASHBOARD_INDEXES = ["events_type_detected", "events_subject_detected", "events_key"]
STATES = ["Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Russian Federation", "Belgium", "Bosnia and Herzegovina",
          "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia", "Finland", "France", "Georgia", "Germany",
          "Greece", "Hungary", "Iceland", "Ireland", "Italy", "Latvia", "Liechtenstein", "Lithuania", "Luxembourg",
          "Malta", "Republic of Moldova", "Monaco", "Montenegro", "Netherlands", "North Macedonia", "Norway", "Poland",
          "Portugal", "Romania", "San Marino", "Serbia", "Slovakia", "Slovenia", "Spain", "Sweden", "Switzerland",
          "Türkiye", "Ukraine", "United Kingdom"]
"""The 47 participants of the CoE treaty the treaty page and its pictures show (one of them denounced)."""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(folder: Path, count: int) -> Path:
    """The config and a state database of `count` events; returns the config path."""
    from monitor.store.state import open_state

    config = folder / "monitor.toml"
    config.write_text('[state]\npath = "state.db"\n\n[[sources]]\nname = "coe"\nkind = "coe"\n\n'
                      '[[sources]]\nname = "un"\nkind = "untc"\n\n'
                      '[[sources]]\nname = "gazette"\nkind = "feed"\nurl = "http://127.0.0.1:9/feed"\n',
                      encoding="utf-8")
    state = open_state(folder / "state.db")
    rng = random.Random(18)
    start = time.time() - 3 * 365 * DAY
    rows = []
    for index in range(count):
        source = ("coe", "un", "gazette")[index % 3]
        treaty = f"{rng.randrange(1, 230):03d}" if source == "coe" else f"IV-{rng.randrange(1, 40)}"
        kind = rng.choice(TREATY_TYPES) if rng.random() < 0.4 else rng.choice(["record_changed", "record_added"])
        subject = f"State {rng.randrange(300):03d}"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + index * (3 * 365 * DAY / count)))
        rows.append([f"e{index:08d}", kind, source, f"{treaty}:{subject}", subject,
                     f"{kind}: {subject} — Treaty {treaty}", f"{subject} {kind} of treaty {treaty}",
                     f"https://example.org/{treaty}", stamp[:10], None,
                     json.dumps({"id": treaty, "title": f"Treaty {treaty}", "url": f"https://example.org/{treaty}"}),
                     json.dumps({"fields": {"state": subject, "treaty": treaty}}), stamp + ".000+00:00"])
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())
    with state.db.atomic():
        state.conn.executemany("insert into events (id, type, source, key, subject, title, summary, url, date,"
                               " effective_date, treaty, details, detected_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               rows)
        for name, kind in (("coe", "coe"), ("un", "untc"), ("gazette", "feed")):
            state.conn.execute("insert into sources (name, kind, created_at, last_check, last_success, last_outcome,"
                               " consecutive_failures, records) values (?,?,?,?,?,?,?,?)",
                               [name, kind, now, now, now, "unchanged", 0, 47])
        state.conn.executemany(
            "insert into records (source, key, part, title, url, fields, first_seen, last_seen)"
            " values (?,?,?,?,?,?,?,?)",
            [["coe", f"126:S{i:02d}", "126", f"{name} — treaty 126", "https://example.org/126",
              json.dumps({"treaty": "126", "state": name, "code": f"S{i:02d}", "group": "member",
                          "signature": "2000-01-01", "consent": f"{1990 + i % 30}-01-01",
                          "entry_into_force": f"{1990 + i % 30}-05-01",
                          **({"denunciation": "2025-09-29", "denunciation_effective": "2026-03-31"} if i == 5 else {})}),
              now, now] for i, name in enumerate(STATES)])
    state.close()
    return config


STORY_STATE, STORY_TREATY = "State 999", "IV-99"


def add_story(config: Path, count: int) -> str:
    """`count` ratifications of one state and treaty from three sources, newer than every
    other event: one story. Returns the id of its newest event."""
    from monitor.store.state import open_state

    state = open_state(config.parent / "state.db")
    start = time.time() - 30 * DAY
    rows = []
    for index in range(count):
        source = ("coe", "un", "gazette")[index % 3]
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + index * (30 * DAY / count)))
        rows.append([f"s{index:08d}", "ratification", source, f"{STORY_TREATY}:{STORY_STATE}:{index}", STORY_STATE,
                     f"ratification: {STORY_STATE} — Treaty {STORY_TREATY}",
                     f"{STORY_STATE} ratified treaty {STORY_TREATY} (report {index})",
                     f"https://example.org/{STORY_TREATY}/{index}", stamp[:10], None,
                     json.dumps({"id": STORY_TREATY, "title": f"Treaty {STORY_TREATY}", "url": None}),
                     json.dumps({"reference": f"report {index}"}), stamp + ".000+00:00", "st_benchmark"])
    with state.db.atomic():
        state.conn.executemany("insert into events (id, type, source, key, subject, title, summary, url, date,"
                               " effective_date, treaty, details, detected_at, story)"
                               " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    state.close()
    return rows[-1][0]


def webhook_body(config: Path, event_id: str, runs: int) -> tuple[int, float]:
    """The size of the webhook body of one event of the story (as the webhook channel encodes
    it) and the median time to read its related events."""
    from monitor.payload import payload
    from monitor.store.state import open_state, row_to_event
    from monitor.store.story_reads import with_related

    state = open_state(config.parent / "state.db", readonly=True)
    try:
        times, body = [], b""
        for _ in range(runs):
            began = time.perf_counter()
            row = state.rows("select * from events where id = ?", [event_id])[0]
            event = with_related(state, [row_to_event(row)])[0]
            times.append(time.perf_counter() - began)
            body = json.dumps(payload(event), ensure_ascii=False, separators=(",", ":")).encode()
    finally:
        state.close()
    return len(body), median(times) * 1000


def without_dashboard_indexes(folder: Path, source: Path) -> Path:
    target = folder / "no-index"
    target.mkdir()
    conn = sqlite3.connect(source.parent / "state.db")
    conn.execute("pragma wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copy(source, target / "monitor.toml")
    shutil.copy(source.parent / "state.db", target / "state.db")
    conn = sqlite3.connect(target / "state.db")
    for name in DASHBOARD_INDEXES:
        conn.execute(f"drop index {name}")
    conn.commit()
    conn.close()
    return target / "monitor.toml"


def fetch(url: str) -> tuple[int, float, int]:
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
    return response.status, time.perf_counter() - began, len(body)


def time_paths(config: Path, paths: list[str], requests: int) -> dict[str, tuple[float, int, float]]:
    """Each path's median time (ms), body size and first-request time (ms: a picture is drawn then)."""
    port = free_port()
    process = subprocess.Popen([*monitor_cli(), "--config", str(config), "-q", "serve", "--http", f"127.0.0.1:{port}"],
                               cwd=ROOT, env=bench_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(base + "/healthz")
                break
            except OSError as exc:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("serve did not start") from exc
                time.sleep(0.1)
        results = {}
        for path in paths:
            first = fetch(base + path)[1] * 1000
            for _ in range(2):
                fetch(base + path)
            times, size = [], 0
            for _ in range(requests):
                status, seconds, size = fetch(base + path)
                assert status == 200, (path, status)
                times.append(seconds)
            results[path] = (median(times) * 1000, size, first)
        return results
    finally:
        stop_process(process)


def deep_cursor(config: Path, pages: int) -> str:
    """The `before` cursor of page `pages` of the home page (50 events a page)."""
    conn = sqlite3.connect(config.parent / "state.db")
    try:
        marks = ",".join("?" * len(ALL_TREATY_TYPES))
        row = conn.execute(f"select rowid from events where type in ({marks}) order by detected_at desc, rowid desc"
                           " limit 1 offset ?", [*ALL_TREATY_TYPES, pages * 50 - 1]).fetchone()
    finally:
        conn.close()
    return str(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--story", type=int, default=10_000, help="events of one story, the newest of all")
    parser.add_argument("--keep", metavar="DIR", help="keep the databases here")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    folder.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    config = build(folder, args.events)
    newest = add_story(config, args.story) if args.story else None
    print(f"built {args.events} events and a story of {args.story} in {time.perf_counter() - began:.1f}s; "
          f"code {code_version()}")
    paths = ["/", f"/events?before={deep_cursor(config, 200)}", "/events?type=denunciation",
             "/events?subject=State+017", "/events?treaty=126", "/events?since=30d", "/subjects/State%20017",
             "/treaties/coe/126", "/sources", "/events.atom", "/events.json?type=suspension&source=un",
             "/treaties/coe/126/map.svg", "/treaties/coe/126/parties.svg", "/subjects/State%20017/timeline.svg",
             "/pictures/actions-per-month.svg",
             "/events.json", "/subjects/State%20999"]
    with_index = time_paths(config, paths, args.requests)
    without = time_paths(without_dashboard_indexes(folder, config), paths, args.requests)
    rows = [[path if len(path) < 40 else path[:37] + "...", with_index[path][1], with_index[path][0],
             with_index[path][2], without[path][0], without[path][0] / with_index[path][0]] for path in paths]
    print(table(["path", "bytes", "median ms", "first ms", "ms without its indexes", "ratio"], rows))
    pictures = [p for p in paths if p.startswith("/treaties/coe/126")]
    print(f"SUMMARY treaty page with its map and curve at {args.events} events: page median "
          f"{with_index[pictures[0]][0]:.1f} ms, pictures median "
          + ", ".join(f"{with_index[p][0]:.1f} ms" for p in pictures[1:])
          + " (first drawing " + ", ".join(f"{with_index[p][2]:.0f} ms" for p in pictures[1:]) + ")")
    print(f"SUMMARY home page at {args.events} events: median {with_index['/'][0]:.1f} ms "
          f"({args.requests} requests, `serve` process, fresh connection each)")
    if newest:
        size, ms = webhook_body(config, newest, args.requests)
        print(f"SUMMARY story of {args.story} events: webhook body {size} bytes (related read in {ms:.2f} ms median); "
              f"/events.json {with_index['/events.json'][1]} bytes, {with_index['/events.json'][0]:.1f} ms median; "
              f"home page {with_index['/'][1]} bytes")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
