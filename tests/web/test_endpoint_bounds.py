"""The HTTP endpoint is bounded: idle half-requests cannot starve /healthz or the checks' descriptors."""

from __future__ import annotations

import resource
import select
import socket
import time
import urllib.request

from helpers.cli import Daemon
from helpers.daemon import config_for, page
from helpers.http import Reply, free_port
from monitor.web import Metrics

LIMIT = 256
ATTACKERS = 400


def low_fd_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


def closed_by_peer(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1) == b""
    except OSError:
        return True


def test_idle_half_requests_under_a_low_fd_limit_leave_healthz_and_checks_working(tmp_path, server):
    server.routes["/a.html"] = Reply(200, page(3))
    port = free_port()
    config = config_for(tmp_path, server)
    config.write_text(f'[http]\nlisten = "127.0.0.1:{port}"\n' + config.read_text())
    daemon = Daemon(config, preexec_fn=low_fd_limit)
    attackers: list[socket.socket] = []
    try:
        daemon.wait_for(lambda: daemon.logged("checked a: baseline"), what="the baseline")
        for _ in range(ATTACKERS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
            attackers.append(sock)
        checks = sum("checked a:" in line for line in daemon.lines)
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
            assert (response.status, response.read()) == (200, b"ok\n")
        healthz_seconds = time.monotonic() - started
        daemon.wait_for(lambda: sum("checked a:" in line for line in daemon.lines) >= checks + 3,
                        what="checks going on during the attack")
        # Every idle connection is closed by the server: dropped for newer ones beyond the
        # cap, or at the read deadline (10 s).
        daemon.wait_for(lambda: all(closed_by_peer(s) for s in attackers), timeout=30,
                        what="the idle connections closed")
        assert healthz_seconds < 10
    finally:
        for sock in attackers:
            sock.close()
        assert daemon.stop() == 0
    assert not any("Too many open files" in line or "failed" in line for line in daemon.lines), daemon.lines


def test_metrics_print_timestamps_and_large_counters_in_full(tmp_path):
    from monitor.store import open_state

    state = open_state(tmp_path / "s.db")
    state.conn.execute("insert into sources (name, kind, created_at, last_success) values "
                       "('a', 'html', '2026-11-26T10:51:33.123+00:00', '2026-11-26T10:51:33.123+00:00')")
    metrics = Metrics()
    for _ in range(3):
        metrics.observe_check("a", "unchanged", 0.25, [])
    text = metrics.render(state.conn, ["a", "never"], ["hook"]).decode()
    state.close()
    assert 'legal_monitor_last_success_timestamp_seconds{source="a"} 1.795690293123e+09\n' in text
    assert 'legal_monitor_last_success_timestamp_seconds{source="never"} 0.0\n' in text
    assert 'legal_monitor_checks_total{outcome="unchanged",source="a"} 3.0\n' in text
    assert 'legal_monitor_check_duration_seconds_sum{source="a"} 0.75\n' in text
    assert 'legal_monitor_deliveries_pending{channel="hook"} 0.0\n' in text


def raw(address: str, data: bytes) -> bytes:
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_endpoint_answers_only_whole_small_get_and_head_requests(tmp_path):
    from monitor.store import open_state
    from monitor.web import Endpoint

    open_state(tmp_path / "s.db").close()
    endpoint = Endpoint("127.0.0.1:0", tmp_path / "s.db", Metrics(), lambda: [])
    endpoint.start()
    try:
        get = raw(endpoint.address, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        head = raw(endpoint.address, b"HEAD /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        post = raw(endpoint.address, b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
        junk = raw(endpoint.address, b"\x16\x03\x01 hello\r\n\r\n")
        headers = raw(endpoint.address, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n")
        target = raw(endpoint.address, b"GET /subjects/" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        missing = raw(endpoint.address, b"GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        no_host = raw(endpoint.address, b"GET /healthz HTTP/1.0\r\n\r\n")
    finally:
        endpoint.stop()
    assert get.startswith(b"HTTP/1.1 200 ") and get.endswith(b"\r\n\r\nok\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"\r\ncontent-length: 3\r\n" in head
    assert head.endswith(b"\r\n\r\n")  # HEAD: the headers, no body
    assert post.startswith(b"HTTP/1.1 405 ") and b"\r\nallow: GET, HEAD\r\n" in post
    assert junk.startswith(b"HTTP/1.1 400 ")
    assert headers.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert target.startswith(b"HTTP/1.1 414 URI Too Long\r\n")
    assert missing.startswith(b"HTTP/1.1 404 ")
    assert no_host.startswith(b"HTTP/1.1 400 ")  # no Host: nothing to check it against
