"""Files of the state: private modes, and the read-only commands on a database they cannot write."""

from __future__ import annotations

import json
import stat
import subprocess

from helpers.cli import run_cli
from helpers.daemon import config_for
from helpers.http import Reply
from monitor.store import DaemonLock, open_state


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_shm_and_lock_file_are_created_private(tmp_path):
    path = tmp_path / "state" / "m.db"
    state = open_state(path)
    try:
        state.conn.execute("insert into meta (key, value) values ('x', '1')")
        files = [path, path.with_name("m.db-wal"), path.with_name("m.db-shm")]
        assert [mode(f) for f in files] == [0o600] * 3
        lock = DaemonLock(path)
        lock.acquire()
        try:
            assert mode(lock.path) == 0o600
        finally:
            lock.release()
    finally:
        state.close()


def test_read_only_commands_work_on_a_read_only_database(server, small_disk):
    mount = small_disk  # turned read-only below
    server.routes["/a.html"] = Reply(200, "<ul><li id='a'>Party A</li><li id='b'>Party B</li></ul>")
    config = config_for(mount, server, extra="alert_on_first_check = true")
    assert run_cli("--config", str(config), "check").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    assert run_cli("--config", str(config), "check").returncode != 0  # it cannot write, truly
    sources = run_cli("--config", str(config), "sources", "--json")
    assert sources.returncode == 0, sources.stderr
    assert json.loads(sources.stdout)[0]["records"] == 2
    events = run_cli("--config", str(config), "events", "--json")
    assert events.returncode == 0, events.stderr
    assert len(json.loads(events.stdout)) == 2
    status = run_cli("--config", str(config), "status")
    assert status.returncode == 0 and "daemon: not running" in status.stdout, status.stderr
