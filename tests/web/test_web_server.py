"""The web side's server under `run` and `serve`: broken requests, foreign Hosts, oversized heads, SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from helpers.cli import Daemon, run_cli
from helpers.config import config_text, write_config
from helpers.http import free_port
from helpers.paths import ROOT
from helpers.web import get, raw, serve_process, wait_listening


def http_config(port: int, more: str = "") -> str:
    """A config with the web side on 127.0.0.1:`port`; the `more` lines go into [http]."""
    return config_text(more, http={"listen": f"127.0.0.1:{port}"})


@contextmanager
def served(tmp_path, more: str = "") -> Iterator[int]:
    """`legal-monitor serve` on a free port of 127.0.0.1, its port while it runs."""
    port = free_port()
    process = serve_process(write_config(tmp_path, http_config(port, more)))
    try:
        wait_listening(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def stopped_within(process: subprocess.Popen, seconds: float) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(seconds)
    return time.monotonic() - started


@pytest.mark.parametrize("command", ["run", "serve"])
def test_four_broken_request_targets_leave_healthz_answering_and_sigterm_quick(tmp_path, command):
    port = free_port()
    config = write_config(tmp_path, http_config(port))
    process = Daemon(config).process if command == "run" else serve_process(config)
    try:
        wait_listening(port, process)
        for _ in range(4):  # each of these killed one of the four workers of the old server
            answer = raw(port, b"GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 404 ")
        started = time.monotonic()
        assert get(port, "/healthz").startswith(b"HTTP/1.1 200 OK\r\n")
        assert time.monotonic() - started < 2
        # A request in flight (its head half sent) and an idle kept-alive connection do not
        # hold the shutdown up.
        half = socket.create_connection(("127.0.0.1", port), timeout=10)
        half.sendall(b"GET /events.json HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        kept = socket.create_connection(("127.0.0.1", port), timeout=10)
        kept.sendall(b"GET /events.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert kept.recv(65536).startswith(b"HTTP/1.1 200 ")
        assert stopped_within(process, 5) < 5
        assert process.returncode == 0
        half.close()
        kept.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_only_the_loopback_names_and_the_listen_address_are_answered(tmp_path):
    with served(tmp_path) as port:
        for host in ("localhost", f"localhost:{port}", "127.0.0.1:1", "[::1]", "[::1]:8080", "LOCALHOST"):
            assert get(port, "/events.json", host).startswith(b"HTTP/1.1 200 "), host
        for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.attacker.example", "localhost.",
                     "[::2]", "", "a b"):
            answer = get(port, "/events.json", host)
            assert answer.startswith(b"HTTP/1.1 400 "), (host, answer)
            assert b"[]" not in answer.split(b"\r\n\r\n", 1)[1]


def test_a_named_host_is_answered_when_allowed(tmp_path):
    with served(tmp_path, 'allowed_hosts = ["monitor.example.org"]') as port:
        assert get(port, "/events.json", "monitor.example.org:443").startswith(b"HTTP/1.1 200 ")
        assert get(port, "/events.json", "other.example.org").startswith(b"HTTP/1.1 400 ")


def test_allowed_host_on_the_command_line_adds_a_name(tmp_path):
    port = free_port()
    config = write_config(tmp_path, http_config(port))
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "serve",
                                "--allowed-host", "monitor.example.org"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(port, process)
        assert get(port, "/events.json", "monitor.example.org").startswith(b"HTTP/1.1 200 ")
        assert get(port, "/events.json", "other.example.org").startswith(b"HTTP/1.1 400 ")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    bad = run_cli("--config", str(config), "serve", "--allowed-host", "http://x.org/", timeout=30)
    assert bad.returncode == 2 and "--allowed-host: must be a host name" in bad.stderr


def test_a_non_loopback_bind_without_allowed_hosts_is_a_config_error(tmp_path):
    config = write_config(tmp_path, http_config(8080).replace("127.0.0.1", "0.0.0.0"))
    result = run_cli("--config", str(config), "validate", timeout=30)
    assert result.returncode != 0
    assert "http.allowed_hosts: required when listening on 0.0.0.0:8080" in result.stderr
    bad = write_config(tmp_path, http_config(8080, 'allowed_hosts = ["https://x.org/"]'), "bad.toml")
    result = run_cli("--config", str(bad), "validate", timeout=30)
    assert "http.allowed_hosts" in result.stderr and result.returncode != 0
    plain = write_config(tmp_path, http_config(8080), "plain.toml")
    result = run_cli("--config", str(plain), "serve", "--http", f"0.0.0.0:{free_port()}", timeout=30)
    assert result.returncode != 0 and "http.allowed_hosts: required" in result.stderr
    assert "Traceback" not in result.stderr


def test_oversized_heads_get_414_and_431_and_the_server_goes_on(tmp_path):
    with served(tmp_path) as port:
        # The dashboard links a state by its name: a 200 kB name gives a 414, not a reset.
        assert get(port, "/subjects/" + "a" * 200_000).startswith(b"HTTP/1.1 414 URI Too Long\r\n")
        assert get(port, "/", more="X-Pad: " + "b" * 20_000 + "\r\n").startswith(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
        assert get(port, "/healthz").startswith(b"HTTP/1.1 200 ")


def test_access_control_is_strict_about_headers_logs_failures_and_hides_health_details(tmp_path, caplog):
    import logging
    import os

    from monitor.config import load_config
    from monitor.store import open_state
    from monitor.web import Endpoint, Metrics

    config_path = write_config(tmp_path, http_config(8080, 'token_env = "LM_WEB_TOKEN"'))
    os.environ["LM_WEB_TOKEN"] = "S3CRET-TOKEN"
    try:
        config = load_config(config_path)
    finally:
        del os.environ["LM_WEB_TOKEN"]
    open_state(config.state_path).close()
    endpoint = Endpoint("127.0.0.1:0", config.state_path, Metrics(), lambda: ["scheduler not running"], lambda: config)
    endpoint.start()
    port = int(endpoint.address.rsplit(":", 1)[1])
    caplog.set_level(logging.INFO, logger="monitor.web")
    try:
        none = get(port, "/events.json")
        started = time.monotonic()
        wrong = get(port, "/events.json", more="Authorization: Bearer WRONG-GUESS\r\n")
        wrong_seconds = time.monotonic() - started
        right = get(port, "/events.json", more="Authorization: Bearer S3CRET-TOKEN\r\n")
        twice = get(port, "/events.json", more="Authorization: Bearer WRONG\r\nAuthorization: Bearer S3CRET-TOKEN\r\n")
        folded = get(port, "/events.json", more="X-Note: a\r\n Authorization: Bearer S3CRET-TOKEN\r\n")
        spaced = get(port, "/events.json", more="Authorization : Bearer S3CRET-TOKEN\r\n")
        health = get(port, "/healthz")
        health_authorised = get(port, "/healthz", more="Authorization: Bearer S3CRET-TOKEN\r\n")
    finally:
        endpoint.stop()
    assert none.startswith(b"HTTP/1.1 401 Unauthorized\r\n")
    assert b'\r\nwww-authenticate: Bearer realm="legal-monitor"\r\n' in none
    assert wrong.startswith(b"HTTP/1.1 401 Unauthorized\r\n") and wrong_seconds >= 0.9
    assert right.startswith(b"HTTP/1.1 200 ")
    assert twice.startswith(b"HTTP/1.1 400 ")  # which of two would count? neither
    assert folded.startswith(b"HTTP/1.1 401 ")  # a continuation line is part of X-Note, not a header
    assert spaced.startswith(b"HTTP/1.1 400 ")
    assert health.startswith(b"HTTP/1.1 503 ") and health.endswith(b"\r\n\r\nfailing\n")
    assert health_authorised.endswith(b"\r\n\r\nfailing\nscheduler not running\n")
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused and "Bearer credentials for /events.json from 127.0.0.1" in refused[0]
    assert not any("WRONG" in r.getMessage() or "S3CRET" in r.getMessage() for r in caplog.records)


def test_stopping_with_a_request_in_flight_takes_less_than_5_seconds(tmp_path):
    import threading

    from monitor.store import open_state
    from monitor.web import Endpoint, Metrics

    open_state(tmp_path / "s.db").close()
    endpoint = Endpoint("127.0.0.1:0", tmp_path / "s.db", Metrics(), lambda: [])
    entered, release = threading.Event(), threading.Event()
    handle = endpoint.pages.handle

    def slow(path: str, query: str):  # a page whose database read takes long
        entered.set()
        release.wait(30)
        return handle(path, query)
    endpoint.pages.handle = slow
    endpoint.start()
    port = int(endpoint.address.rsplit(":", 1)[1])
    answers: list[bytes] = []
    client = threading.Thread(target=lambda: answers.append(get(port, "/")), daemon=True)
    client.start()
    try:
        assert entered.wait(10)
        started = time.monotonic()
        endpoint.stop()
        stopped = time.monotonic() - started
        client.join(10)
    finally:
        release.set()
    assert stopped < 5
    assert not endpoint._thread.is_alive()
    assert answers and not answers[0].startswith(b"HTTP/1.1 200 ")  # cut short, not answered late
