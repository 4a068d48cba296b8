"""Alert latency: event commit -> webhook received, and check end -> e-mail accepted, on 127.0.0.1.

    python -m benchmarks.latency [--events 300] [--sources 30] [--gap 0.1]

Runs the real daemon (``legal-monitor run``, one-second interval) on CoE-shaped JSON
sources served by the document server, with two channels: a webhook to a receiver in this
process and an e-mail channel to a local aiosmtpd server. Once every source has its
baseline, the script changes one row of one document every ``--gap`` seconds, round-robin
over the sources (so each check finds one change and raises one event), until ``--events``
changes were made, then waits for every alert.

- webhook latency = time the receiver has read the whole request - the event's
  ``detected_at`` in the payload. Both stamps come from this machine's wall clock.
  ``detected_at`` is taken just before the check's single write transaction, so the figure
  is an upper bound on commit -> received (it includes the commit itself).
- e-mail latency = time the SMTP server accepted the message (end of DATA) - the end of
  the check that found the event (``checks.started_at + duration`` in the state database).
Neither includes the polling delay (a change waits up to one interval to be seen).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from aiosmtpd.controller import Controller

from monitor.events import RECORD_TYPES, TREATY_TYPES
from monitor.store.outbox import delivery_id

from .common import ROOT, bench_env, code_version, monitor_cli, start_server, stop_process, table, write_config
from .docserver import HttpProtocol

CHANNELS = """
[[channels]]
name = "hook"
kind = "webhook"
url = "http://127.0.0.1:{hook_port}/hook"
events = {types}

[[channels]]
name = "mail"
kind = "email"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
security = "none"
from = "monitor@example.org"
to = ["desk@example.org"]
events = {types}
"""


class Receiver:
    """A webhook receiver on its own event loop thread; records (received at, payload).
    Subclasses may answer other requests by overriding `respond`."""

    def __init__(self) -> None:
        self.received: list[tuple[float, dict]] = []
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()

        async def start() -> None:
            server = await self.loop.create_server(lambda: HttpProtocol(self.respond), "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(start())
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)

    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes):
        self.received.append((time.time(), json.loads(body)))
        return 200, [("Content-Type", "text/plain")], b"ok"

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


class Mailbox:
    """aiosmtpd handler: records (accepted at, Message-ID) of each message."""

    def __init__(self) -> None:
        self.accepted: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        now = time.time()
        match = re.search(rb"^Message-ID:\s*<([^@>]+)@", envelope.original_content or envelope.content, re.M | re.I)
        self.accepted.append((now, match.group(1).decode() if match else ""))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def wait_for(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lm-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    receiver, mailbox = Receiver(), Mailbox()
    problems = run_changes(args, work, receiver, mailbox)
    events, hook, hook_end, mail = latencies(work / "state" / "monitor.db", receiver, mailbox)
    if len(events) != args.events:
        problems.append(f"{len(events)} events in the database for {args.events} changes")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return report(args, len(events), hook, hook_end, mail, problems)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="changes to make, one event each (default 300)")
    parser.add_argument("--sources", type=int, default=30, help="JSON sources to spread them over (default 30)")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between changes (default 0.1)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    if args.sources * args.gap < 1.5:
        parser.error("--sources x --gap must be at least 1.5 s, so each one-second check sees one change")
    return args


def run_changes(args: argparse.Namespace, work: Path, receiver: Receiver, mailbox: Mailbox) -> list[str]:
    """Run the daemon, wait for its baselines, make the changes and wait for their alerts;
    the problems seen."""
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    server = start_server(args.sources, "json")
    types = json.dumps([*TREATY_TYPES, *RECORD_TYPES])
    config = write_config(work, server.base, args.sources, "json", interval="1s",
                          channels=CHANNELS.format(hook_port=receiver.port, smtp_port=smtp.port, types=types))
    db = work / "state" / "monitor.db"
    log = open(work / "daemon.log", "wb")
    daemon = subprocess.Popen([*monitor_cli(), "--config", str(config), "run"], cwd=ROOT, env=bench_env(),
                              stdout=log, stderr=subprocess.STDOUT)

    def count(sql: str) -> int:
        if not db.exists():
            return 0
        conn = sqlite3.connect(str(db), timeout=10)
        try:
            return conn.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            conn.close()

    problems = []
    try:
        if not wait_for(lambda: count("select count(distinct source) from checks where outcome = 'baseline'")
                        >= args.sources, 60):
            raise SystemExit(f"the daemon did not check every source within 60 s; see {work / 'daemon.log'}")
        started = time.monotonic()
        for k in range(args.events):
            server.control("change", docs=k % args.sources)
            time.sleep(max(0.0, started + (k + 1) * args.gap - time.monotonic()))
        if not wait_for(lambda: len(receiver.received) >= args.events and len(mailbox.accepted) >= args.events, 60):
            problems.append(f"only {len(receiver.received)} webhooks and {len(mailbox.accepted)} e-mails "
                            f"arrived for {args.events} changes")
    finally:
        stop_process(daemon)
        log.close()
        server.stop()
        smtp.stop()
        receiver.stop()
    return problems


def latencies(db: Path, receiver: Receiver, mailbox: Mailbox) -> tuple[dict, list[float], list[float], list[float]]:
    """The events stored, and in milliseconds: event detected -> webhook received, check end ->
    webhook received, check end -> e-mail accepted."""
    conn = sqlite3.connect(str(db))
    events = {row[0]: (row[1], row[2], row[3]) for row in conn.execute(
        "select id, source, detected_at, type from events")}
    checks: dict[str, list[tuple[float, float]]] = {}
    for source, started_at, duration in conn.execute(
            "select source, started_at, duration from checks where outcome = 'changed' order by id"):
        checks.setdefault(source, []).append((stamp(started_at), stamp(started_at) + duration))
    conn.close()
    by_delivery = {delivery_id(event, "mail"): event for event in events}

    def check_end(event: str) -> float | None:
        source, detected, _ = events[event]
        moment = stamp(detected)
        ends = [end for begin, end in checks.get(source, []) if begin <= moment + 0.002]
        return ends[-1] if ends else None

    hook = [(at - stamp(payload["detected_at"])) * 1000 for at, payload in receiver.received]
    hook_end = [(at - end) * 1000 for at, payload in receiver.received
                if (end := check_end(payload["id"])) is not None]
    mail = [(at - end) * 1000 for at, ref in mailbox.accepted
            if ref in by_delivery and (end := check_end(by_delivery[ref])) is not None]
    return events, hook, hook_end, mail


def report(args: argparse.Namespace, events: int, hook: list[float], hook_end: list[float], mail: list[float],
           problems: list[str]) -> int:
    """Print the table and the summary line; the exit code."""
    rows = []
    for name, values in (("event detected_at -> webhook received", hook),
                         ("check end -> webhook received", hook_end),
                         ("check end -> e-mail accepted (SMTP DATA done)", mail)):
        if values:
            rows.append([name, len(values), statistics.median(values), percentile(values, 95), max(values)])
        else:
            rows.append([name, 0, "-", "-", "-"])
            problems.append(f"no measurements for {name}")
    print(f"\n{args.events} changes over {args.sources} JSON sources, one change per check, "
          f"daemon interval 1s; {events} events; code {code_version()}")
    print(table(["latency (ms)", "n", "median", "p95", "max"], rows))
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if hook and mail:
        print(f"SUMMARY events={len(hook)} webhook median {statistics.median(hook):.1f} ms p95 "
              f"{percentile(hook, 95):.1f} ms; e-mail median {statistics.median(mail):.1f} ms p95 "
              f"{percentile(mail, 95):.1f} ms" + ("; CHECK WARNINGS" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
