"""/metrics: the same families under `run` and `serve`, valid for promtool and Prometheus's own parser."""

from __future__ import annotations

import shutil
import signal
import subprocess
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpers.cli import Daemon
from helpers.config import hook
from helpers.daemon import config_for, page
from helpers.http import Reply, free_port
from helpers.web import serve_process, wait_listening

PROMTOOL = shutil.which("promtool")


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.read().decode()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def promtool_problems(text: str) -> str:
    result = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    return "" if result.returncode == 0 and not result.stdout.strip() else result.stdout + result.stderr


@pytest.fixture(scope="module")
def scrapes(tmp_path_factory):
    """/metrics of a daemon that checked a source, found an event and delivered it, then of
    `serve` on the same database."""
    from helpers.http import LocalServer

    tmp_path = tmp_path_factory.mktemp("metrics")
    server = LocalServer().start()
    try:
        server.routes["/a.html"] = Reply(200, page(3))
        server.routes["/hook"] = Reply(200, "ok")
        port = free_port()
        config = config_for(tmp_path, server, names=("a",),
                            extra=hook(f"{server.base}/hook", events=["record_added"])
                            + hook(f"{server.base}/never", "quiet"))
        config.write_text(f'[http]\nlisten = "127.0.0.1:{port}"\n' + config.read_text())
        daemon = Daemon(config)
        try:
            daemon.wait_for(lambda: daemon.logged("checked a: baseline"), what="the baseline")
            server.routes["/a.html"] = Reply(200, page(4))
            daemon.wait_for(lambda: 'legal_monitor_deliveries_total{channel="hook",outcome="sent"}' in scrape(port),
                            what="a delivery counted", timeout=30)
            run_text = scrape(port)
        finally:
            assert daemon.stop() == 0
        process = serve_process(config)
        try:
            wait_listening(port, process)
            serve_text = scrape(port)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(10)
    finally:
        server.stop()
    return run_text, serve_text


def test_families_follow_prometheus_conventions_and_gauges_read_zero(scrapes):
    run_text, serve_text = scrapes
    for text in scrapes:
        families = {f.name: f.type for f in text_string_to_metric_families(text)}
        assert families == {"legal_monitor_checks": "counter", "legal_monitor_check_duration_seconds": "summary",
                            "legal_monitor_events": "counter", "legal_monitor_deliveries": "counter",
                            "legal_monitor_deliveries_pending": "gauge",
                            "legal_monitor_last_success_timestamp_seconds": "gauge"}
        values = samples(text)
        assert values[("legal_monitor_deliveries_pending", (("channel", "quiet"),))] == 0
        assert values[("legal_monitor_deliveries_pending", (("channel", "hook"),))] == 0
        assert values[("legal_monitor_last_success_timestamp_seconds", (("source", "a"),))] > 1.7e9
        assert "_sum_total" not in text and "_count_total" not in text


def test_serve_reads_from_the_database_what_run_counted(scrapes):
    run_text, serve_text = scrapes
    run_values, serve_values = samples(run_text), samples(serve_text)
    for key in [("legal_monitor_checks_total", (("outcome", "baseline"), ("source", "a"))),
                ("legal_monitor_checks_total", (("outcome", "changed"), ("source", "a"))),
                ("legal_monitor_events_total", (("type", "record_added"),)),
                ("legal_monitor_deliveries_total", (("channel", "hook"), ("outcome", "sent")))]:
        assert run_values[key] == serve_values[key] == 1, key
    # unchanged checks went on between the two scrapes: never fewer in the database
    unchanged = ("legal_monitor_checks_total", (("outcome", "unchanged"), ("source", "a")))
    assert serve_values.get(unchanged, 0) >= run_values.get(unchanged, 0)
    assert serve_values[("legal_monitor_check_duration_seconds_count", (("source", "a"),))] >= 2


@pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (Debian package prometheus; `make test` "
                                             "installs it as root)")
def test_promtool_finds_nothing_to_complain_about(scrapes):
    for text in scrapes:
        assert promtool_problems(text) == ""
