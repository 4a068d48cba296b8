"""The daemon under a slow-client attack on its endpoint and on a full disk: what /healthz says, how fast.

    python -m benchmarks.hardening [--runs 3] [--keep DIR]

`slow clients`: the daemon runs under a 256 open-files limit; 400 connections each send half
a request and wait. Figures: seconds /healthz takes to answer then (30 = no answer), checks
completed in the 10 s after the attack began, "Too many open files" log lines.
`full disk` (root, where a tmpfs can be mounted): the state lives on a 4 MiB tmpfs that is
filled while the page changes. Figures: /healthz while full, traceback lines and "not saved"
lines logged, seconds from freeing space to /healthz 200 and to the next committed check.
"""

from __future__ import annotations

import argparse
import resource
import secrets
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError, URLError

from .common import PYTHON, ROOT, bench_env, code_version, median, stop_process, table

PROBE_TIMEOUT = 30.0


class Page:
    """A one-page HTTP server on 127.0.0.1 whose body the benchmark changes."""

    def __init__(self) -> None:
        self.body = self.rows(3, "")
        page = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                body = page.body() if callable(page.body) else page.body
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d/a.html" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @staticmethod
    def rows(count: int, filler: str) -> bytes:
        return ("<ul>" + "".join(f"<li id='r{i}'>Party {i} {filler}</li>" for i in range(count)) + "</ul>").encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daemon(folder: Path, state: Path, url: str, port: int, nofile: int | None) -> tuple[subprocess.Popen, Path]:
    config = folder / "monitor.toml"
    config.write_text(f'[state]\npath = "{state}"\n[http]\nlisten = "127.0.0.1:{port}"\n[daemon]\n'
                      'shutdown_timeout = "3s"\n[defaults]\nretries = 0\nhost_delay = "0s"\ninterval = "1s"\n'
                      f'jitter = "0s"\ntimeout = "5s"\n[[sources]]\nname = "a"\nkind = "html"\nurl = "{url}"\n'
                      'items = "li"\nkey = "@id"\nfields = { title = ":scope" }\n', encoding="utf-8")
    log = folder / "daemon.log"

    def limit() -> None:
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    process = subprocess.Popen([PYTHON, "-m", "monitor", "--config", str(config), "run"], cwd=ROOT, env=bench_env(),
                               stdout=subprocess.DEVNULL, stderr=open(log, "wb"), preexec_fn=limit)
    return process, log


def wait_for(predicate, timeout: float) -> float | None:
    """Seconds until `predicate` holds, or None after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def healthz(port: int) -> tuple[int, float]:
    """(status, seconds); status 0 when there was no answer within PROBE_TIMEOUT."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=PROBE_TIMEOUT) as answer:
            status = answer.status
    except HTTPError as exc:
        status = exc.code
    except (URLError, OSError):
        status = 0
    return status, time.monotonic() - start


def count(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text)


def slow_clients(folder: Path) -> list[object]:
    page, port = Page(), free_port()
    process, log = start_daemon(folder, folder / "state.db", page.url, port, 256)
    attackers = []
    try:
        wait_for(lambda: count(log, "checked a:") >= 1, 30)
        for _ in range(400):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                attackers.append(sock)
            except OSError:
                break
        before = count(log, "checked a:")
        status, seconds = healthz(port)
        wait_for(lambda: False, max(0.0, 10 - seconds))  # the rest of a 10 s window
        checks = count(log, "checked a:") - before
    finally:
        for sock in attackers:
            sock.close()
        stop_process(process)
        page.httpd.shutdown()
    return [len(attackers), status, min(seconds, PROBE_TIMEOUT), checks, count(log, "Too many open files")]


def full_disk(folder: Path) -> list[object] | None:
    disk = folder / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True).returncode:
        return None
    page, port = Page(), free_port()
    process, log = start_daemon(folder, disk / "state.db", page.url, port, None)
    try:
        wait_for(lambda: count(log, "checked a:") >= 1, 30)
        filler = disk / "filler"
        with open(filler, "wb", buffering=0) as handle:
            for size in (65536, 4096, 512, 1):
                try:
                    while True:
                        handle.write(b"\0" * size)
                except OSError:
                    pass
        page.body = lambda: Page.rows(300, secrets.token_hex(200))
        committed = count(log, "checked a: changed")
        wait_for(lambda: count(log, "not saved") + count(log, "raised an exception") >= 3, 60)
        status_full, _ = healthz(port)
        tracebacks, lines = count(log, "Traceback"), count(log, "not saved")
        filler.unlink()
        freed = time.monotonic()
        to_healthz = wait_for(lambda: healthz(port)[0] == 200, 60)
        to_commit = wait_for(lambda: count(log, "checked a: changed") > committed, 60)
        to_commit = None if to_commit is None else time.monotonic() - freed
    finally:
        stop_process(process)
        page.httpd.shutdown()
        subprocess.run(["umount", "-l", str(disk)], check=False)
    return [status_full, tracebacks, lines, to_healthz, to_commit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep configs, databases and logs here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="lm-hardening-"))
    slow, disk = [], []
    for run in range(args.runs):
        slow.append(slow_clients(_fresh(base / f"slow{run}")))
        disk.append(full_disk(_fresh(base / f"disk{run}")))
    print(table(["slow clients run", "connections", "healthz status", "healthz s", "checks in 10 s",
                 "EMFILE lines"], [[n, *row] for n, row in enumerate(slow)]))
    print()
    if any(disk):
        print(table(["full disk run", "healthz while full", "traceback lines", "not-saved lines",
                     "s to healthz 200", "s to next commit"], [[n, *row] for n, row in enumerate(disk) if row]))
    else:
        print("full disk: skipped (cannot mount a tmpfs here)")
    done = [row for row in disk if row]
    print(f"SUMMARY code {code_version()}: healthz under 400 idle half-requests median "
          f"{median([r[2] for r in slow]):.2f}s (status {[r[1] for r in slow]}), checks in 10 s median "
          f"{median([r[3] for r in slow]):.0f}; full disk: healthz {[r[0] for r in done]}, "
          f"recovery median {median([r[3] for r in done if r[3] is not None]):.2f}s")


def _fresh(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


if __name__ == "__main__":
    main()
