"""Hostile peers on 127.0.0.1 for tests and benchmarks: a gzip-in-gzip bomb, a dripping HTTP
server, SMTP servers whose replies never end or drip; and a child run measured by the kernel."""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Sequence

MIB = 1024 * 1024


@functools.lru_cache(maxsize=4)
def gzip_bomb(size: int = 512 * MIB, layers: int = 2) -> bytes:
    """`size` zero bytes, gzipped `layers` times (512 MiB twice gzipped is about 7 KB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MIB)
    body = b"".join(packer.compress(zeros) for _ in range(size // MIB)) + packer.flush()
    for _ in range(layers - 1):
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        body = packer.compress(body) + packer.flush()
    return body


class _LineServer:
    """A TCP server on 127.0.0.1 that runs `serve(connection)` in a thread per client."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.serve(conn)
            except OSError:
                pass  # the client hung up: that is what these servers wait for

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()


class DripServer(_LineServer):
    """Announces a 100 KB HTML answer with `status`, then sends one byte every `gap` seconds."""

    def __init__(self, gap: float = 1.0, status: int = 200) -> None:
        self.gap, self.status = gap, status
        super().__init__()
        self.base = f"http://127.0.0.1:{self.port}"

    def serve(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            data = conn.recv(4096)
            if not data:
                return
            request += data
        conn.sendall(f"HTTP/1.1 {self.status} Answer\r\nContent-Type: text/html\r\n"
                     "Content-Length: 100000\r\n\r\n".encode())
        while not self.stopped.wait(self.gap):
            conn.sendall(b"<")


class EndlessSmtp(_LineServer):
    """Greets, then answers the first command with continuation lines that never end."""

    def serve(self, conn: socket.socket) -> None:
        conn.sendall(b"220 endless.test ESMTP\r\n")
        conn.recv(4096)
        line = b"250-" + b"x" * 1000 + b"\r\n"
        while not self.stopped.is_set():
            conn.sendall(line * 64)


class DripSmtp(_LineServer):
    """Starts a greeting and never finishes it: one byte every `gap` seconds."""

    def __init__(self, gap: float = 0.2) -> None:
        self.gap = gap
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        conn.sendall(b"220 ")
        while not self.stopped.wait(self.gap):
            conn.sendall(b"x")


@dataclass
class Measured:
    """A child process run to completion: wall seconds, peak RSS (MiB), exit code, output."""

    wall: float
    peak_mib: float
    returncode: int
    output: str


MEASURER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs the command as the child of this small process and writes the child's peak RSS (KiB).

A child forked straight from the test process would count the test process's own peak: on exec
the kernel keeps the larger of the old and the new memory's high-water mark, and pytest's
process grows past 200 MiB over the suite."""


def measured_run(args: Sequence[str], *, cwd: str | os.PathLike | None = None,
                 env: dict[str, str] | None = None, timeout: float = 300.0) -> Measured:
    """Run `args`, capturing stdout+stderr; the peak RSS comes from wait4 (the kernel's figure),
    taken by a small process that starts `args` as its own child."""
    import sys
    import tempfile

    with open(os.devnull, "rb") as stdin, tempfile.NamedTemporaryFile("r", suffix=".rss") as peak:
        read, write = os.pipe()
        start = time.monotonic()
        process = subprocess.Popen([sys.executable, "-c", MEASURER, peak.name, *args], cwd=cwd, env=env,
                                   stdin=stdin, stdout=write, stderr=write, start_new_session=True)
        os.close(write)
        chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(read, 65536), b"")),
                                  daemon=True)
        reader.start()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        wall = time.monotonic() - start
        reader.join(5)
        os.close(read)
        peak_kib = int(peak.read() or 0)
    return Measured(wall, peak_kib / 1024, process.returncode, b"".join(chunks).decode("utf-8", "replace"))
