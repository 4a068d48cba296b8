"""The daemon as a subprocess: lock, backoff and ops events, reload, logs, HTTP endpoint."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

from helpers.cli import Daemon, run_cli
from helpers.daemon import check_waits, config_for, page
from helpers.http import Reply, free_port


def events_of(config, type_):
    events = json.loads(run_cli("--config", str(config), "events", "--json", "--limit", "500").stdout)
    return [e for e in events if e["type"] == type_]


def test_second_instance_is_refused_and_status_names_the_holder(tmp_path, server):
    server.routes["/a.html"] = Reply(200, page(3))
    config = config_for(tmp_path, server)
    first = Daemon(config)
    try:
        first.wait_for(lambda: first.logged("legal-monitor running"), what="start")
        second = run_cli("--config", str(config), "run", timeout=30)
        assert second.returncode == 2
        assert f"another legal-monitor daemon (PID {first.process.pid}) is running" in second.stderr
        status = run_cli("--config", str(config), "status")
        assert f"daemon: running (PID {first.process.pid})" in status.stdout
        assert status.returncode == 0
    finally:
        assert first.stop() == 0
    assert "daemon: not running" in run_cli("--config", str(config), "status").stdout


def test_stale_lock_from_a_dead_process_is_taken_over(tmp_path, server):
    server.routes["/a.html"] = Reply(200, page(3))
    config = config_for(tmp_path, server)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "state.db.lock").write_text(f"{dead.pid}\n")
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("checked a:"), what="a check")
    finally:
        assert daemon.stop() == 0


def test_failing_source_retries_sooner_then_backs_off_and_raises_one_failing_and_one_recovered_event(
        tmp_path, server):
    server.routes["/a.html"] = Reply(503, "down for maintenance")
    config = config_for(tmp_path, server, interval="2s", extra='retry_base = "500ms"')
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: len(server.hits("/a.html")) >= 5, timeout=30, what="5 failed checks")
        gaps = [b.at - a.at for a, b in zip(server.hits("/a.html"), server.hits("/a.html")[1:5], strict=False)]
        assert len(events_of(config, "source_failing")) == 1
        assert daemon.logged("retrying a at") and daemon.logged("(after 2 failures in a row)")
        server.routes["/a.html"] = Reply(200, page(3))
        daemon.wait_for(lambda: events_of(config, "source_recovered"), timeout=30, what="recovery")
        # More successful checks: still one of each.
        count = len(server.hits("/a.html"))
        daemon.wait_for(lambda: len(server.hits("/a.html")) >= count + 2, what="more checks")
    finally:
        assert daemon.stop() == 0
    assert len(events_of(config, "source_failing")) == 1
    assert len(events_of(config, "source_recovered")) == 1
    assert "Traceback" not in "\n".join(daemon.lines)
    # Retries wait 0.5 s, 1 s, then 2 s from the start of the failed check: never sooner (the
    # portal is not hammered), never later than the 2 s interval (give or take a loaded machine).
    waits = check_waits(config)[:4]
    assert waits[0] >= 0.5 and waits[1] >= 1 and waits[2] >= 2 and waits[3] >= 2, waits
    assert max(gaps) < 2 * 2, gaps
    status = json.loads(run_cli("--config", str(config), "status", "--json").stdout)
    assert status["sources"][0]["consecutive_failures"] == 0


def test_sighup_adds_a_source_and_a_broken_config_keeps_the_old_one(tmp_path, server):
    for name in ("a", "b"):
        server.routes[f"/{name}.html"] = Reply(200, page(2))
    config = config_for(tmp_path, server)
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("checked a:"), what="first check")
        assert not server.hits("/b.html")
        config_for(tmp_path, server, names=("a", "b"))
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_for(lambda: len(server.hits("/b.html")) >= 2, what="the new source being checked")
        assert daemon.logged("reload: added source b")
        good = config.read_text()
        config.write_text(good + '\n[[sources]]\nname = "c"\nkind = "html"\nurl = "nope"\n')
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_for(lambda: daemon.logged("reload refused"), what="refusal")
        assert daemon.logged("sources[2] (\"c\").url: must be an http:// or https:// URL")
        count = len(server.hits("/b.html"))
        daemon.wait_for(lambda: len(server.hits("/b.html")) > count + 1, what="old config still running")
        assert daemon.process.poll() is None
    finally:
        assert daemon.stop() == 0


def test_json_logs_and_the_http_endpoint(tmp_path, server):
    server.routes["/a.html"] = Reply(200, page(3))
    port = free_port()
    config = config_for(tmp_path, server)
    config.write_text(f'[http]\nlisten = "127.0.0.1:{port}"\n' + config.read_text())
    daemon = Daemon(config, "--log-format", "json")
    base = f"http://127.0.0.1:{port}"
    try:
        daemon.wait_for(lambda: daemon.logged('"checked a:'), what="a check")
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
            assert response.status == 200 and response.read() == b"ok\n"
        def metrics() -> str:
            with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
                return response.read().decode()
        # counted just after the check's log line
        daemon.wait_for(lambda: 'legal_monitor_checks_total{outcome="baseline",source="a"} 1.0' in metrics(),
                        what="the check counted")
        metrics = metrics()
        assert 'legal_monitor_last_success_timestamp_seconds{source="a"}' in metrics
        with urllib.request.urlopen(base + "/events.json", timeout=5) as response:
            assert json.loads(response.read()) == []
        with urllib.request.urlopen(base + "/events.atom", timeout=5) as response:
            assert b"<feed" in response.read()
        server.routes["/a.html"] = Reply(200, page(3).replace("Party 2", "Ratification of the Convention by Party 2"))
        daemon.wait_for(lambda: b"Ratification" in urllib.request.urlopen(base + "/events.json", timeout=5).read(),
                        what="the event in the feed")
    finally:
        assert daemon.stop() == 0
    records = [json.loads(line) for line in daemon.lines]  # every line is one JSON object
    checks = [r for r in records if r["message"].startswith("checked a:")]
    assert checks and {"source", "outcome", "duration", "bytes", "records"} <= set(checks[0])
    assert all(r["level"] in ("info", "warning", "error") for r in records)
    # Log pipelines filter on the logger name: it stays what it was, wherever the module lives.
    assert {r["logger"] for r in checks} == {"monitor.check"}


def test_http_flag_on_a_taken_port_is_a_clear_error(tmp_path, server):
    import socket

    server.routes["/a.html"] = Reply(200, page(3))
    config = config_for(tmp_path, server)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--config", str(config), "run", "--http", f"127.0.0.1:{port}", timeout=30)
    assert result.returncode == 2
    assert f"cannot serve HTTP on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_healthz_is_503_when_the_scheduler_stalls_or_the_database_cannot_be_read(tmp_path):
    from urllib.error import HTTPError

    from monitor.store import open_state
    from monitor.web import Endpoint, Metrics

    open_state(tmp_path / "s.db").close()
    cases = [(tmp_path / "s.db", lambda: [], 200, "ok"),
             (tmp_path / "s.db", lambda: ["scheduler not running"], 503, "scheduler not running"),
             (tmp_path / "gone" / "s.db", lambda: [], 503, "database unreadable")]
    for path, problems, status, text in cases:
        endpoint = Endpoint("127.0.0.1:0", path, Metrics(), problems)
        endpoint.start()
        try:
            try:
                with urllib.request.urlopen(f"http://{endpoint.address}/healthz", timeout=5) as response:
                    got = (response.status, response.read().decode())
            except HTTPError as exc:
                got = (exc.code, exc.read().decode())
        finally:
            endpoint.stop()
        assert got[0] == status and text in got[1]


def test_sigterm_lets_a_running_check_finish_within_the_shutdown_timeout(tmp_path, server):
    import threading

    arrived, release = threading.Event(), threading.Event()

    def slow(seen):
        arrived.set()
        release.wait(30)  # the check is in flight until the daemon has been told to stop
        return Reply(200, page(3))

    server.routes["/a.html"] = slow
    config = config_for(tmp_path, server)
    daemon = Daemon(config)
    try:
        daemon.wait_for(arrived.is_set, what="the first request")
        daemon.process.send_signal(signal.SIGTERM)
        daemon.wait_for(lambda: daemon.logged("waiting up to 3s for 1 running checks"), what="the shutdown wait")
    finally:
        release.set()
    assert daemon.stop() == 0
    assert daemon.logged("checked a: baseline")  # finished and committed, not cancelled
    listing = json.loads(run_cli("--config", str(config), "sources", "--json").stdout)
    assert listing[0]["records"] == 3
