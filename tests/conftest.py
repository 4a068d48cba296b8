"""Shared test parts: a real HTTP server on 127.0.0.1, the CLI as a subprocess, config files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import parse_qs, urlsplit

import pytest

from payload_schema import events_in, schema_errors

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Seen:
    """One request the test server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    """When it arrived (monotonic clock)."""


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Seen], Reply]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with an ephemeral port.

    `routes` maps a path to a Reply or to a function of the request returning one.
    Replies with an ETag honour If-None-Match with a 304 unless `conditional` is False.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.requests: list[Seen] = []
        self.schema_errors: list[str] = []
        """What the event@1 JSON Schema finds wrong with the events POSTed here."""
        self.conditional = True
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each reply on a kept-alive connection waits ~40 ms

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()),
                            self.rfile.read(length) if length else b"")
                server.requests.append(seen)
                if seen.method == "POST":  # every event a test delivers must match the published schema
                    server.schema_errors += [error for event in events_in(seen.body) for error in schema_errors(event)]
                route = server.routes.get(parts.path)
                reply = route(seen) if callable(route) else route
                if reply is None:
                    reply = Reply(404, "<html><body>Not found</body></html>", {"Content-Type": "text/html"})
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                etag = reply.headers.get("ETag")
                if server.conditional and etag and seen.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # clients that hang up (timeouts, killed daemons) are part of the tests

        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> "LocalServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    local = LocalServer().start()
    yield local
    local.stop()
    assert local.schema_errors == [], "a delivered event does not match event-1.schema.json"


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `python -m monitor ARGS` as a subprocess and capture its output."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("LEGAL_MONITOR_CONFIG", None) if env is None or "LEGAL_MONITOR_CONFIG" not in env else None
    result = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd or ROOT, env=full_env,
                            capture_output=True, text=True, timeout=timeout)
    if "events" in args and "--json" in args and result.returncode == 0:  # the listing matches the schema
        errors = [error for event in events_in(result.stdout.encode()) for error in schema_errors(event)]
        assert errors == [], f"`events --json` gives events that do not match event-1.schema.json: {errors[:5]}"
    return result


def write_config(folder: Path, body: str, name: str = "monitor.toml") -> Path:
    """Write a config whose state lives in `folder`, with fast retries for tests."""
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def html_source(url: str, extra: str = "", name: str = "portal") -> str:
    """A `[[sources]]` entry (named "portal" unless told) that watches the `<li id=…>` items of `url`."""
    return f"""
        [[sources]]
        name = "{name}"
        kind = "html"
        url = "{url}"
        items = "li"
        key = "@id"
        {extra}
    """


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate and its key for 127.0.0.1, as (cert, key) paths."""
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives; `refuse` makes it answer 451/550."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        return "250 2.0.0 Ok: queued as TEST1"

    def messages(self):
        import email
        from email import policy

        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 accepting login alerts / pw-from-env."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"alerts" \
            and auth_data.password == b"pw-from-env"
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    port = free_port()

    def start():
        inbox.controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                                      auth_require_tls=False)
        inbox.controller.start()

    inbox.port = port
    inbox.start = start
    start()
    yield inbox
    try:
        inbox.controller.stop()
    except Exception:
        pass


class Daemon:
    """`legal-monitor run` in the background, with its stderr collected line by line."""

    def __init__(self, config, *extra, preexec_fn=None):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), *extra, "run"], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout=20.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; log:\n" + "\n".join(self.lines[-30:]))

    def logged(self, text):
        return any(text in line for line in self.lines)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.wait(timeout)
        self._reader.join(5)
        return self.process.returncode


QUICK_STATE = """
        [state]
        path = "state.db"
        [defaults]
        retries = 0
        host_delay = "0s"
"""
"""The head of a test config: the state in its folder, no retries, no host delay."""


def html_sources(base: str, names: Iterable[str], more: str = "") -> str:
    """One `html` source table per name, watching `{base}/{name}.html` (records are the `li`
    elements, keyed by their `id`), with the `more` keys in each."""
    return "".join(f"""
        [[sources]]
        name = "{name}"
        kind = "html"
        url = "{base}/{name}.html"
        items = "li"
        key = "@id"
        {more}
    """ for name in names)


def json_source_config(folder: Path, url: str, extra: str = "",
                       fields: str = '{ subject = "state", title = "title" }') -> Path:
    """A config with one `json` source named "parties" (rows keyed by `code`) at `url`, no
    retries or host delay, and the `extra` tables (channels, …) after it."""
    return write_config(folder, f"""{QUICK_STATE}
        [[sources]]
        name = "parties"
        kind = "json"
        url = "{url}"
        key = "code"
        fields = {fields}
        {textwrap.dedent(extra)}
    """)
