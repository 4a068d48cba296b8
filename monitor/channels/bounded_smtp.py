"""SMTP connections whose server replies are bounded in size and the whole exchange in time."""

from __future__ import annotations

import smtplib
import socket
import time
from typing import Any

MAX_REPLY = 64 * 1024
"""Largest reply (all its continuation lines) read from an SMTP server."""
DEADLINE_FACTOR = 4
"""A whole SMTP exchange may take this many times the channel's `timeout`."""


class _ReplyReader:
    """Stands in for smtplib's socket file: reads lines itself, so that a reply can be cut
    off at MAX_REPLY bytes and a server that drips its reply at the conversation deadline."""

    def __init__(self, sock: socket.socket, timeout: float, deadline: float):
        self.sock, self.timeout, self.deadline = sock, timeout, deadline
        self.buffer = b""
        self.read = 0

    def readline(self, size: int = -1) -> bytes:
        limit = size if size > 0 else MAX_REPLY
        while b"\n" not in self.buffer and len(self.buffer) < limit:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise OSError(f"no complete reply before the deadline ({DEADLINE_FACTOR} × timeout)")
            self.sock.settimeout(min(self.timeout, left))
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                if left < self.timeout:  # it was the deadline that ran out, not the read timeout
                    raise OSError(f"no complete reply before the deadline ({DEADLINE_FACTOR} × timeout)") from None
                raise
            if not data:
                break
            self.buffer += data
        end = self.buffer.find(b"\n") + 1 or len(self.buffer)
        end = min(end, limit)
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        self.read += len(line)
        if self.read > MAX_REPLY:
            raise OSError(f"reply longer than {MAX_REPLY:,} bytes")
        return line

    def close(self) -> None:
        self.buffer = b""


class _Bounded:
    """Mixed into smtplib's classes: every reply goes through a fresh `_ReplyReader`."""

    sock: Any
    file: Any

    def _bound(self, timeout: float, deadline_factor: float) -> None:
        self.reply_timeout = timeout
        self.deadline = time.monotonic() + deadline_factor * timeout

    def getreply(self) -> tuple[int, bytes]:
        if self.sock is not None and not isinstance(self.file, _ReplyReader):
            self.file = _ReplyReader(self.sock, self.reply_timeout, self.deadline)
        if isinstance(self.file, _ReplyReader):
            self.file.read = 0
        return super().getreply()  # type: ignore[misc]


class NoGreeting(OSError):
    """The server took the connection but gave no SMTP greeting (a TLS-only port, say)."""


class BoundedSMTP(_Bounded, smtplib.SMTP):
    def __init__(self, host: str, port: int, timeout: float):
        self._bound(timeout, DEADLINE_FACTOR)
        self._connected = False
        try:
            super().__init__(host, port, timeout=timeout)
        except (OSError, smtplib.SMTPServerDisconnected) as exc:  # a refusing greeting (554) is an answer
            if self._connected:
                raise NoGreeting(str(exc) or type(exc).__name__) from exc
            raise

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)
        self._connected = True
        return sock


class BoundedSMTPSSL(_Bounded, smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, timeout: float, context: Any):
        self._bound(timeout, DEADLINE_FACTOR)
        super().__init__(host, port, timeout=timeout, context=context)
