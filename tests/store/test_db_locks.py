"""The database beside a running daemon: its locks hold, its WAL stays, no event is lost or sent twice."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from urllib.error import HTTPError

import pytest

from helpers.cli import Daemon, run_cli
from helpers.config import hook
from helpers.daemon import config_for
from helpers.http import Reply, free_port
from monitor.errors import StateError
from monitor.store import open_state

CLOSE_IN_ANOTHER_PROCESS = ("import sqlite3, sys\n"
                            "conn = sqlite3.connect(sys.argv[1])\n"
                            "conn.execute('select count(*) from meta').fetchone()\n"
                            "conn.close()\n")


@pytest.mark.parametrize("readonly", [False, True])
def test_opening_the_state_again_leaves_an_open_connections_locks_in_place(tmp_path, readonly):
    path = tmp_path / "m.db"
    first = open_state(path)
    first.conn.execute("insert into meta (key, value) values ('x', '1')")
    wal = tmp_path / "m.db-wal"
    assert wal.exists()
    open_state(path, readonly=readonly).close()  # what the endpoint used to do on every request
    # Another process closes its connection: had the first connection's locks been dropped,
    # that process would believe it was the last one and checkpoint and delete the WAL.
    subprocess.run([sys.executable, "-c", CLOSE_IN_ANOTHER_PROCESS, str(path)], check=True, timeout=30)
    assert wal.exists()
    assert first.conn.execute("select value from meta where key = 'x'").fetchone() == ("1",)
    first.close()


def test_a_foreign_file_is_recognised_through_sqlite_and_left_alone(tmp_path):
    path = tmp_path / "m.db"
    for content in (b"my precious notes\n" * 10, b"xy", b"SQLite format 3\x00" + b"\x00" * 20):
        path.write_bytes(content)
        for readonly in (False, True):
            with pytest.raises(StateError, match="not a SQLite database|corrupt"):
                open_state(path, readonly=readonly)
            assert path.read_bytes() == content
        assert not (tmp_path / "m.db-wal").exists()


def growing_page():
    """Each fetch shows one more ratification (up to 12 rows), so checks keep finding events."""
    lock, count = threading.Lock(), [3]

    def reply(seen):
        with lock:
            n = count[0]
            count[0] = min(12, n + 1)
        rows = "".join(f"<li id='r{i}'>{'Ratification of the Convention by ' if i >= 3 else ''}Party {i}</li>" for i in range(n))
        return Reply(200, f"<html><body><ul>{rows}</ul></body></html>")
    return reply, count


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except HTTPError as exc:
        return exc.code, exc.read()


def test_endpoint_and_commands_beside_the_daemon_keep_the_wal_and_every_alert_once(tmp_path, server):
    page, _ = growing_page()
    server.routes["/a.html"] = page
    server.routes["/hook"] = Reply(200, "ok")
    port = free_port()
    config = config_for(tmp_path, server, extra=hook(server.base + "/hook", retry_base="1s"))
    config.write_text(f'[http]\nlisten = "127.0.0.1:{port}"\n' + config.read_text())
    wal = tmp_path / "state.db-wal"
    daemon = Daemon(config)
    base = f"http://127.0.0.1:{port}"
    reading, answers = threading.Event(), Counter()

    def read_endpoints():
        while not reading.is_set():
            for path in ("/metrics", "/healthz", "/events.json", "/events.atom"):
                answers[(path, get(base + path)[0])] += 1

    reader = threading.Thread(target=read_endpoints, daemon=True)
    try:
        daemon.wait_for(lambda: daemon.logged("checked a: baseline"), what="the baseline")
        reader.start()
        for _ in range(2):
            for command in (["status"], ["events"], ["sources"], ["check"]):
                result = run_cli("--config", str(config), *command)
                assert "Traceback" not in result.stderr, result.stderr
                assert wal.exists(), f"the WAL disappeared after `{command[0]}` beside the daemon"
        # The page stops growing at 12 rows: rows 3..11 are nine ratifications, committed by
        # the daemon or by a `check` beside it.
        daemon.wait_for(lambda: len(json.loads(run_cli("--config", str(config), "events", "--json").stdout)) == 9,
                        timeout=60, what="all nine ratifications committed")
        daemon.wait_for(lambda: not json.loads(run_cli("--config", str(config), "deliveries", "--pending",
                                                       "--json").stdout), timeout=60, what="every delivery sent")
        assert wal.exists()
        reader_done = sum(answers.values())
        daemon.wait_for(lambda: sum(answers.values()) > reader_done + 4, what="the endpoint still answering")
    finally:
        reading.set()
        reader.join(30)
        assert daemon.stop() == 0
    assert {status for (_, status) in answers} == {200}, answers
    logged = {m.group(1) for line in daemon.lines if (m := re.search(r"^.*\bevent ratification .*\((\S+)\)$", line))}
    events = json.loads(run_cli("--config", str(config), "events", "--json", "--limit", "500").stdout)
    ids = {e["id"] for e in events}
    assert logged and logged <= ids  # the commands see every event the daemon committed
    assert len(ids) == 9  # rows 3..11, each one ratification, once
    sent = Counter(seen.headers["X-Legal-Monitor-Delivery"] for seen in server.hits("/hook"))
    assert len(sent) == len(ids) and set(sent.values()) == {1}, sent
    conn = sqlite3.connect(tmp_path / "state.db")
    try:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
