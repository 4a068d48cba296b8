"""A real HTTP server on 127.0.0.1 with an ephemeral port, and what it was asked."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from helpers.schema import events_in, schema_errors


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
