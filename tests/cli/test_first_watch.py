"""The first watch without silent failures: ops alerts by default, a `validate` that catches
what `check` would, listings that refuse unknown sources, and plain messages where it fails.
Every command runs as a subprocess against local servers."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from helpers.cli import run_cli
from helpers.config import QUICK, channel_table, html_source, json_source_config, mailbox, monitor_config, write_config
from helpers.http import Reply, free_port
from helpers.web import read_url as get
from helpers.web import serving
from monitor.config import load_config
from monitor.store import open_state

HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(rows: dict[str, str]) -> str:
    return "<ul>" + "".join(f'<li id="{key}">{text}</li>' for key, text in rows.items()) + "</ul>"


def hooks(server, *paths: str, status: dict[str, int] | None = None) -> dict[str, list[dict]]:
    got: dict[str, list[dict]] = {path: [] for path in paths}

    def keep(seen):
        got[seen.path].append(json.loads(seen.body))
        return Reply((status or {}).get(seen.path, 200), "no such hook")
    for path in paths:
        server.routes[path] = keep
    return got


def served(tmp_path, port: int, tables: str):
    """A config whose state is in `tmp_path` and whose pages are served on `port`."""
    return monitor_config(tmp_path, tables, http={"listen": f"127.0.0.1:{port}"})


def hook(name: str, url: str, extra: str = "") -> str:
    return channel_table(name, "webhook", extra, url=url)


# --- 3. ops alerts by default ----------------------------------------------------------------

def test_a_channel_that_says_nothing_of_ops_hears_that_a_source_is_failing(tmp_path, server):
    server.routes["/list.html"] = Reply(500, "down")
    got = hooks(server, "/hook", "/quiet")
    path = monitor_config(tmp_path, html_source(f"{server.base}/list.html", "failure_threshold = 1"),
                          hook("hook", f"{server.base}/hook"), hook("quiet", f"{server.base}/quiet", "ops = false"),
                          defaults=QUICK)
    result = run_cli("--config", str(path), "check")
    assert result.returncode == 1
    assert [(e["type"], e["source"]) for e in got["/hook"]] == [("source_failing", "portal")]
    assert got["/hook"][0]["title"].startswith("Source failing: ")
    assert got["/quiet"] == []
    assert "delivery to hook: sent" in result.stdout


def test_a_failed_delivery_is_alerted_through_the_other_channels_in_the_same_run(tmp_path, server):
    rows = [{"code": "FR", "state": "France", "title": "Ratification by France"}]
    server.routes["/p.json"] = lambda seen: Reply(200, json.dumps(rows))
    got = hooks(server, "/broken", "/desk", status={"/broken": 404})
    path = json_source_config(tmp_path, f"{server.base}/p.json",
                              hook("broken", f"{server.base}/broken") + hook("desk", f"{server.base}/desk"))
    assert run_cli("--config", str(path), "check").returncode == 0  # the baseline
    rows.append({"code": "RU", "state": "Russian Federation", "title": "Denunciation of the Convention"})
    result = run_cli("--config", str(path), "check")
    assert result.returncode == 0, result.stderr
    assert [e["type"] for e in got["/desk"]] == ["denunciation", "delivery_failed"]  # one run, both
    assert [e["type"] for e in got["/broken"]] == ["denunciation"]  # not told through itself
    assert "delivery to broken: failed: permanent failure: HTTP 404" in result.stdout
    assert result.stdout.count("delivery to desk: sent") == 2
    pending = run_cli("--config", str(path), "deliveries", "--pending")
    assert "delivery_failed" not in pending.stdout


# --- 8. validate, listings, serve ---------------------------------------------------------------

def test_validate_refuses_a_state_folder_that_cannot_take_the_database(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for state, problem in (("/proc/first.db", "cannot create files in /proc"),
                           (f"{blocker}/first.db", f"{blocker} is not a folder")):
        path = write_config(tmp_path, f'[state]\npath = "{state}"\n')
        result = run_cli("--config", str(path), "validate")
        assert result.returncode == 2, result.stdout
        assert f"config error: {path}: state.path: {problem}" in result.stderr
        check = run_cli("--config", str(path), "check")
        assert check.returncode == 2  # what validate said, check finds
    path = write_config(tmp_path, '[state]\npath = "not/yet/made/first.db"\n')
    result = run_cli("--config", str(path), "validate")
    assert result.returncode == 0 and not (tmp_path / "not").exists()  # creatable, and nothing created


def test_validate_lists_each_source_and_channel_with_its_target_and_no_secret(tmp_path):
    path = write_config(tmp_path, f"""
        {html_source("http://127.0.0.1:9/chart.html", 'interval = "6h"', name="cpt-chart")}
        {hook("hook", "https://user:hunter2@hooks.example.org/in?token=T0KEN", 'secret_env = "LM_HOOK"')}
        {hook("team", "https://hooks.slack.com/services/T1/B2/SLACKTOKEN", 'format = "slack"' + chr(10) + "ops = false")}
    """ + channel_table("desk", "email", smtp_host="smtp.example.org", username="alerts", password_env="LM_SMTP",
                        from_="Legal Monitor <alerts@example.org>", to=["desk@example.org"]))
    result = run_cli("--config", str(path), "validate", env={"LM_HOOK": "HOOKSECRET", "LM_SMTP": "SMTPSECRET"})
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "cpt-chart: html every 6h  http://127.0.0.1:9/chart.html" in lines
    assert "3 channels" in lines
    assert "hook: webhook  https://user:***@hooks.example.org/in?token=*** (signed)" in lines
    assert "team: webhook, no operational events  https://hooks.slack.com/… (slack)" in lines
    assert ("desk: email  smtp smtp.example.org:587 (starttls, login alerts), from Legal Monitor "
            "<alerts@example.org> to desk@example.org") in lines
    for secret in ("hunter2", "T0KEN", "SLACKTOKEN", "HOOKSECRET", "SMTPSECRET"):
        assert secret not in result.stdout
    data = json.loads(run_cli("--config", str(path), "validate", "--json",
                              env={"LM_HOOK": "HOOKSECRET", "LM_SMTP": "SMTPSECRET"}).stdout)
    assert [(c["name"], c["kind"], c["ops"]) for c in data["channels"]] == [
        ("hook", "webhook", True), ("team", "webhook", False), ("desk", "email", True)]
    assert data["sources"] == [{"name": "cpt-chart", "kind": "html", "enabled": True, "interval": 21600.0}]


@pytest.mark.parametrize("command", [["events"], ["held"], ["release"], ["drop"]])
def test_listings_refuse_an_unknown_source_as_check_does(tmp_path, command):
    path = monitor_config(tmp_path, html_source("http://127.0.0.1:9/chart.html", name="cpt-chart"))
    result = run_cli("--config", str(path), *command, "--source", "cpt")
    assert result.returncode == 2
    assert "unknown source 'cpt' (known: cpt-chart)" in result.stderr
    assert run_cli("--config", str(path), *command[:1], "--source", "cpt-chart").returncode == 0 \
        or command[0] in ("release", "drop")


def test_serve_starts_without_the_channels_secrets(tmp_path):
    port = free_port()
    path = served(tmp_path, port, hook("hook", "http://127.0.0.1:9/hook", 'secret_env = "LM_NEVER_SET_HOOK"'))
    assert "LM_NEVER_SET_HOOK is not set" in run_cli("--config", str(path), "check").stderr  # check needs it
    process = serving(str(path), port)
    try:
        assert "Latest treaty events" in get(f"http://127.0.0.1:{port}/")
    finally:
        process.terminate()
        assert process.wait(10) == 0


# --- 9. the smaller points ---------------------------------------------------------------------

def test_connection_errors_name_the_port_and_counts_are_plural_only_when_many(tmp_path, server):
    closed = free_port()
    server.routes["/list.html"] = Reply(200, page({"fr": "France"}), HTML)
    path = monitor_config(tmp_path, html_source(f"http://127.0.0.1:{closed}/nothing", name="gone"),
                          html_source(f"{server.base}/list.html"), defaults=QUICK)
    result = run_cli("--config", str(path), "-v", "check")
    assert result.returncode == 1
    assert f"cannot connect to 127.0.0.1:{closed}: " in result.stdout
    assert "[Errno" not in result.stdout
    assert "1 added, 0 changed, 0 removed; 1 request, 0 not modified; 0 new events" in result.stdout
    assert "1 request (0 not modified), 1 record," in result.stderr and "1 requests" not in result.stderr


def test_preview_of_a_missing_page_prints_the_error_alone(tmp_path, server):
    path = monitor_config(tmp_path, html_source(f"{server.base}/moved.html"), defaults=QUICK)
    result = run_cli("--config", str(path), "preview", "portal")
    assert result.returncode == 1
    assert result.stdout == "" and "0 records" not in result.stdout
    assert "legal-monitor: preview of portal: " in result.stderr and "404" in result.stderr


def email_to(port: int, extra: str = "") -> str:
    return mailbox(port, extra, timeout="300ms")


def test_a_server_without_starttls_is_reported_as_such_not_as_unreachable(tmp_path, smtp_server):
    path = write_config(tmp_path, email_to(smtp_server.port, 'security = "starttls"'))
    result = run_cli("--config", str(path), "test-alert")
    assert result.returncode == 1
    assert f"desk: FAILED: SMTP server 127.0.0.1:{smtp_server.port} does not offer STARTTLS" in result.stdout
    assert "cannot reach" not in result.stdout and smtp_server.envelopes == []


def test_a_port_that_gives_no_smtp_greeting_is_reported_as_reached(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    try:
        path = write_config(tmp_path, email_to(listener.getsockname()[1], 'security = "starttls"'))
        result = run_cli("--config", str(path), "test-alert")
    finally:
        for sock in held:
            sock.close()
        listener.close()
    assert result.returncode == 1
    assert "took the connection but sent no SMTP greeting" in result.stdout
    assert 'set security = "ssl"' in result.stdout and "cannot reach" not in result.stdout


def test_sources_page_says_overdue_and_shows_errors_in_plain_words(tmp_path):
    port = free_port()
    path = served(tmp_path, port, html_source("http://portal.example/list.html", 'interval = "1h"'))
    state = open_state(load_config(path).state_path)
    try:  # a check a day ago, failed with an error as the operating system words it
        state.record_failure("portal", "html", "2020-01-01T00:00:00.000+00:00", 0.1,
                             "cannot resolve portal.example: [Errno -2] Name or service not known")
    finally:
        state.close()
    process = serving(str(path), port)
    try:
        sources = get(f"http://127.0.0.1:{port}/sources")
        home = get(f"http://127.0.0.1:{port}/")
    finally:
        process.terminate()
        process.wait(10)
    assert "<strong>overdue</strong>, due since" in sources
    assert "cannot resolve portal.example: Name or service not known" in sources
    assert "[Errno" not in sources + home
    assert 'placeholder="any state"' in home and 'placeholder="Russian Federation"' not in home
    status = run_cli("--config", str(path), "status")
    assert "overdue: " in status.stdout and "[Errno" not in status.stdout


@pytest.mark.package
def test_the_editable_install_prints_no_setuptools_warning(tmp_path):
    import subprocess
    import sys

    from helpers.paths import ROOT

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                   check=True, capture_output=True, timeout=300)  # as the Makefile does
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "-e",
                                str(ROOT)],
                               cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert "BuildBackendWarning" not in installed.stdout + installed.stderr
    assert "same name as your package" not in installed.stdout + installed.stderr
