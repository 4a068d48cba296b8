"""The web side as a client meets it: raw requests, `legal-monitor serve` as a subprocess, and a
wait until it answers /healthz."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from helpers.paths import ROOT


def raw(port: int, data: bytes, host: str = "127.0.0.1") -> bytes:
    """The whole answer to `data` sent as is on a new connection (urllib cannot send `//[`)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def get(port: int, target: str, host: str = "127.0.0.1", more: str = "") -> bytes:
    return raw(port, f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{more}Connection: close\r\n\r\n".encode("latin-1"))


def serve_process(config) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "serve"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if get(port, "/healthz").startswith(b"HTTP/1.1 200 "):
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server never answered /healthz")


def read_url(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def serving(config: str, port: int) -> subprocess.Popen:
    """`legal-monitor serve` with no secret in its environment, once it answers."""
    env = {"PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", config, "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("serve stopped: " + process.stderr.read())
        try:
            read_url(f"http://127.0.0.1:{port}/healthz")
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("serve did not answer")
