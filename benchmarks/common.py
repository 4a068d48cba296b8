"""Shared helpers: the document server process, timed child processes, configs and DB sizes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import psutil

from .docserver import doc_kind, doc_path

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent

# Politeness raised for the one local host; real portals keep the shipped defaults.
BENCH_DEFAULTS = """[defaults]
interval = "{interval}"
host_concurrency = {host_concurrency}
host_delay = "0s"
retries = 0
jitter = "0s"
timeout = "60s"
"""

HTML_SOURCE = """[[sources]]
name = "{name}"
kind = "html"
url = "{url}"
items = "table.chart tbody tr"
key = "td.state"
fields = {{ signature = "td:nth-of-type(2)", ratification = "td:nth-of-type(3)", entry_into_force = "td:nth-of-type(4)" }}
"""

JSON_SOURCE = """[[sources]]
name = "{name}"
kind = "json"
url = "{url}"
items = "0"
key = "CodePays"
fields = {{ title = "LibPaysOrga", signature = "DateSignature", ratification = "DateConsentement", entry_into_force = "DateEntreeVigueur" }}
"""

XML_SOURCE = """[[sources]]
name = "{name}"
kind = "html"
url = "{url}"
items = "Tbody Row"
key = "Entry:nth-of-type(1)"
fields = {{ signature = "Entry:nth-of-type(2)", ratification = "Entry:nth-of-type(3)" }}
"""

SOURCE_TEMPLATES = {"html": HTML_SOURCE, "json": JSON_SOURCE, "xml": XML_SOURCE}


@dataclass
class Server:
    """A running document server process."""

    process: subprocess.Popen
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def control(self, action: str, method: str = "POST", **query: Any) -> dict[str, Any]:
        params = "&".join(f"{k}={v}" for k, v in query.items())
        request = urllib.request.Request(f"{self.base}/_control/{action}{'?' + params if params else ''}",
                                         method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def stats(self) -> dict[str, int]:
        return self.control("stats", method="GET")

    def cpu(self) -> float:
        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        stop_process(self.process, signal.SIGINT, 5)


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
    """Ask a child to stop with `sig`, kill it after `timeout` seconds; its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def start_server(docs: int, mix: str = "mixed", no_conditional: bool = False) -> Server:
    args = [PYTHON, "-m", "benchmarks.docserver", "--docs", str(docs), "--mix", mix]
    if no_conditional:
        args.append("--no-conditional")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise RuntimeError(f"document server did not start: {line!r}")
    return Server(process, int(line.split()[1]))


@dataclass
class Run:
    """Resource use of one child process, measured by the kernel (wait4)."""

    wall: float
    user: float
    sys: float
    maxrss_kb: int
    returncode: int

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def rss_mb(self) -> float:
        return self.maxrss_kb / 1024


def run_child(args: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
              stdout: Path | None = None, timeout: float = 900.0) -> Run:
    """Run a command to completion; wall time, user/sys CPU and peak RSS of that child alone."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        process = subprocess.Popen(list(args), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
            time.sleep(0.005)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    return Run(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss, process.returncode)


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LEGAL_MONITOR_CONFIG", None)
    # An installed package has its bytecode cached; without this every run would compile
    # monitor/ from source (the first, unmeasured-in-the-medians run writes the caches).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONWARNINGS"] = "ignore"
    return env


def monitor_cli() -> list[str]:
    return [PYTHON, "-m", "monitor"]


def write_config(folder: Path, base: str, count: int, mix: str, interval: str = "1d",
                 channels: str = "", host_concurrency: int = 64) -> Path:
    """A config with one source per document (sources named s00000, s00001, …)."""
    parts = ['[state]\npath = "state/monitor.db"\n', BENCH_DEFAULTS.format(interval=interval, host_concurrency=host_concurrency)]
    for index in range(count):
        kind = doc_kind(index, mix)
        parts.append(SOURCE_TEMPLATES[kind].format(name=f"s{index:05d}", url=base + doc_path(index, mix)))
    parts.append(channels)
    path = folder / "monitor.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def db_size(path: Path) -> tuple[int, int]:
    """(file bytes after a WAL checkpoint, bytes in used pages)."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("pragma wal_checkpoint(TRUNCATE)")
        pages = conn.execute("pragma page_count").fetchone()[0]
        free = conn.execute("pragma freelist_count").fetchone()[0]
        size = conn.execute("pragma page_size").fetchone()[0]
    finally:
        conn.close()
    return path.stat().st_size, (pages - free) * size


def check_outcomes(path: Path, after_id: int) -> tuple[dict[str, int], int, list[str]]:
    """Outcomes of the check-log rows with id > after_id, the last id, and a few errors."""
    conn = sqlite3.connect(str(path))
    try:
        rows = conn.execute("select outcome, count(*) from checks where id > ? group by outcome", [after_id]).fetchall()
        last = conn.execute("select coalesce(max(id), 0) from checks").fetchone()[0]
        errors = [r[0] for r in conn.execute(
            "select source || ': ' || error from checks where id > ? and outcome = 'failed' limit 3", [after_id])]
    finally:
        conn.close()
    return dict(rows), last, errors


def code_version() -> str:
    """The commit under test, marked when monitor/ has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "monitor"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+uncommitted" if dirty else "")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=False))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)
