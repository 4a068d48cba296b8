"""A small bounded HTTP/1.0 server: few connections, a deadline per request, a worker pool.

One thread reads request heads from every open connection (a selector), so a client that
sends half a request holds a descriptor for at most `read_timeout` and never a worker; when
`max_connections` are open, the oldest unfinished one is dropped for the newcomer. Complete
requests go to `workers` threads, each of which may keep its own resources (a database
connection) for its whole life."""

from __future__ import annotations

import logging
import queue
import resource
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

log = logging.getLogger("monitor.web")

MAX_HEAD = 16 * 1024
"""Bytes of request line and headers accepted; a longer head gets the connection closed."""
REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Request:
    """One GET or HEAD request."""

    method: str
    path: str
    """As sent, still percent-encoded: a page splits it into parts before decoding them."""
    query: str
    """The raw query string (parse it with urllib.parse.parse_qs)."""
    headers: dict[str, str]


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def default_max_connections() -> int:
    """Far below the open-files limit, so the checks always have descriptors left."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 64
    return max(4, min(64, soft // 8))


def parse_head(head: bytes) -> Request | None:
    """The request in a head ending with a blank line, or None if it is not HTTP."""
    try:
        lines = head.decode("iso-8859-1").split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        return None
    if not version.startswith("HTTP/"):
        return None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    parts = urlsplit(target)
    return Request(method, parts.path, parts.query, headers)


def _encode(response: Response, head_only: bool) -> bytes:
    lines = [f"HTTP/1.0 {response.status} {REASONS.get(response.status, 'Unknown')}",
             f"Content-Type: {response.content_type}", f"Content-Length: {len(response.body)}",
             "Connection: close", *(f"{k}: {v}" for k, v in response.headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else response.body)


class BoundedServer:
    """Serves `handle` on host:port until `stop`; `thread_exit` runs in each worker as it ends."""

    def __init__(self, host: str, port: int, handle: Callable[[Request], Response], *, workers: int = 4,
                 max_connections: int | None = None, read_timeout: float = 10.0, write_timeout: float = 10.0,
                 thread_exit: Callable[[], None] | None = None):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.create_server((host, port), family=family, backlog=64)
        self.sock.setblocking(False)
        self.address = self.sock.getsockname()[:2]
        self.handle = handle
        self.max_connections = max_connections or default_max_connections()
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.thread_exit = thread_exit
        self._jobs: queue.Queue = queue.Queue(maxsize=workers * 4)
        self._pending: dict[socket.socket, tuple[float, bytearray]] = {}
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = False
        self._threads = [threading.Thread(target=self._reader, name="http", daemon=True)]
        self._threads += [threading.Thread(target=self._worker, name=f"http-{n}", daemon=True)
                          for n in range(workers)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake_w.send(b"x")
        for _ in self._threads[1:]:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(self.write_timeout + 1)
        self._wake_r.close()
        self._wake_w.close()

    # --- reading request heads -------------------------------------------------------------

    def _reader(self) -> None:
        self._selector.register(self.sock, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        try:
            while not self._stopping:
                for key, _ in self._selector.select(timeout=1.0):
                    if key.fileobj is self.sock:
                        self._accept()
                    elif key.fileobj is not self._wake_r:
                        self._read(key.fileobj)  # type: ignore[arg-type]
                self._expire()
        finally:
            for conn in list(self._pending):
                self._drop(conn)
            self._selector.close()
            self.sock.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of descriptors, say: try again on the next turn
                log.warning("HTTP endpoint cannot accept a connection: %s", exc)
                return
            if len(self._pending) >= self.max_connections:
                self._drop(min(self._pending, key=lambda c: self._pending[c][0]))
            conn.setblocking(False)
            self._pending[conn] = (time.monotonic(), bytearray())
            self._selector.register(conn, selectors.EVENT_READ)

    def _read(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        buffer = self._pending[conn][1]
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0 or end > MAX_HEAD:
            if len(buffer) > MAX_HEAD:  # not a request this endpoint serves
                self._drop(conn)
            return
        self._selector.unregister(conn)
        del self._pending[conn]
        head = bytes(buffer[:end])
        try:
            self._jobs.put_nowait((conn, head))
        except queue.Full:
            self._reply_now(conn, Response(503, "text/plain", b"busy\n"))

    def _expire(self) -> None:
        limit = time.monotonic() - self.read_timeout
        for conn in [c for c, (opened, _) in self._pending.items() if opened < limit]:
            self._drop(conn)

    def _drop(self, conn: socket.socket) -> None:
        self._pending.pop(conn, None)
        try:
            self._selector.unregister(conn)
        except (KeyError, ValueError):
            pass
        conn.close()

    def _reply_now(self, conn: socket.socket, response: Response) -> None:
        try:
            conn.send(_encode(response, False))
        except OSError:
            pass
        conn.close()

    # --- answering -------------------------------------------------------------------------

    def _worker(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                conn, head = job
                try:
                    self._answer(conn, head)
                finally:
                    conn.close()
        finally:
            if self.thread_exit:
                self.thread_exit()

    def _answer(self, conn: socket.socket, head: bytes) -> None:
        request = parse_head(head)
        if request is None:
            response = Response(400, "text/plain", b"bad request\n")
        elif request.method not in ("GET", "HEAD"):
            response = Response(405, "text/plain", b"only GET and HEAD\n", {"Allow": "GET, HEAD"})
        else:
            try:
                response = self.handle(request)
            except Exception as exc:  # a bug in a page must give a 500, not a dead worker
                log.error("HTTP endpoint %s failed: %s: %s", request.path, type(exc).__name__, exc)
                response = Response(500, "text/plain", b"internal error\n")
        conn.settimeout(self.write_timeout)
        try:
            conn.sendall(_encode(response, request is not None and request.method == "HEAD"))
        except OSError:
            pass
