"""The web side's HTTP server: uvicorn (h11) with a cap on connections and a deadline per request head."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import socket
import time
from dataclasses import dataclass
from typing import Any, Iterator

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("monitor.web")  # the name JSON log lines carry: kept as it was


def default_max_connections() -> int:
    """Far below the open-files limit, so the checks always have descriptors left."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 64
    return max(4, min(64, soft // 8))


@dataclass(frozen=True)
class Limits:
    """The server's bounds (docs/web.md lists them)."""

    max_connections: int
    """Open connections; beyond it the oldest one still sending its head is closed for the newcomer."""
    max_target: int = 8 * 1024
    """Bytes of the request line; more gets 414."""
    max_head: int = 16 * 1024
    """Bytes of request line and headers; more gets 431."""
    head_timeout: float = 10.0
    """Seconds a connection may take to send a whole request head."""
    keep_alive: int = 5
    """Seconds an idle kept-alive connection stays open."""
    shutdown: int = 3
    """Seconds requests in flight may finish on SIGTERM before they are cancelled."""
    backlog: int = 64


def default_limits() -> Limits:
    return Limits(max_connections=default_max_connections())


LINGER = 2.0
"""Seconds the rest of a refused request is read (and dropped) before the connection closes."""


class BoundedH11(H11Protocol):
    """uvicorn's h11 protocol with what it lacks: a deadline for each request head, a cap on
    connections (the oldest unfinished head makes room), and 414/431 for an oversized head.
    (h11 joins a folded header line to the one above it, as RFC 9112 allows, so a
    continuation line never counts as a header of its own.)"""

    limits: Limits

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.opened = time.monotonic()
        self._refused = False
        self._arm()
        if len(self.connections) > self.limits.max_connections:
            waiting = [c for c in self.connections if isinstance(c, BoundedH11) and c is not self and c._in_head()]
            if waiting:
                min(waiting, key=lambda c: c.opened).transport.close()

    def _in_head(self) -> bool:
        return self.conn.their_state is h11.IDLE and not self.transport.is_closing()

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.limits.head_timeout, self._head_expired)

    def _head_expired(self) -> None:
        if self._in_head():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline.cancel()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        self._deadline.cancel()
        self._arm()
        super().on_response_complete()

    def data_received(self, data: bytes) -> None:
        if self._refused:  # read and dropped, so that the client reads the answer, not a reset
            return
        if self.conn.their_state is h11.IDLE and self._oversized(self.conn.trailing_data[0] + data):
            return
        super().data_received(data)

    def _oversized(self, head: bytes) -> bool:
        """Refuses a request line over `max_target` (414) or a head over `max_head` (431);
        h11 alone would parse any head that arrives whole."""
        line = head.find(b"\r\n")
        end = head.find(b"\r\n\r\n")
        if (line if line >= 0 else len(head)) > self.limits.max_target:
            self._refuse(414, "URI Too Long", "request target too long")
        elif (end if end >= 0 else len(head)) > self.limits.max_head:
            self._refuse(431, "Request Header Fields Too Large", "request headers too large")
        else:
            return False
        return True

    def _refuse(self, status: int, reason: str, message: str) -> None:
        """A closing answer to a request h11 never read (it has no way to answer one)."""
        body = f"{message}\n".encode()
        self.transport.write(f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
                             f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode() + body)
        self._refused = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER, self.transport.close)


class _Server(uvicorn.Server):
    """A uvicorn server that leaves the signals to the daemon (or `serve`), which stop it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(listen: str, backlog: int) -> socket.socket:
    """A listening socket on HOST:PORT (port 0: any free one); OSError if it cannot be had."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, int(port)), family=family, backlog=backlog)
    sock.setblocking(False)
    return sock


class WebServer:
    """Serves an ASGI app on an already bound socket, in the running event loop, until `stop`."""

    def __init__(self, app: Any, listen: str, limits: Limits | None = None):
        self.limits = limits or default_limits()
        self.sock = bind(listen, self.limits.backlog)
        host, port = self.sock.getsockname()[:2]
        self.address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        protocol = type("Protocol", (BoundedH11,), {"limits": self.limits})
        config = uvicorn.Config(
            app, http=protocol, ws="none", lifespan="off", log_config=None, access_log=False,
            proxy_headers=False, server_header=False, backlog=self.limits.backlog,
            limit_concurrency=self.limits.max_connections + 1, timeout_keep_alive=self.limits.keep_alive,
            timeout_graceful_shutdown=self.limits.shutdown, h11_max_incomplete_event_size=self.limits.max_head)
        self.server = _Server(config)

    async def serve(self) -> None:
        await self.server.serve(sockets=[self.sock])

    def stop(self) -> None:
        self.server.should_exit = True
