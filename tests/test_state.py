"""The state database: migrations, refusal of foreign or corrupt files, atomic checks."""

from __future__ import annotations

import sqlite3

import pytest

from monitor.errors import StateError
from monitor.state import SCHEMA_VERSION, open_state

from conftest import run_cli, write_config


def test_new_database_gets_schema_and_wal(tmp_path):
    state = open_state(tmp_path / "sub" / "m.db")
    assert {"sources", "documents", "snapshots", "records", "events", "checks", "parts"} <= set(state.db.table_names())
    version = state.db.execute("select value from meta where key='schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION
    assert state.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    state.close()


def test_non_sqlite_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "m.db"
    path.write_bytes(b"my precious notes\n" * 10)
    with pytest.raises(StateError, match="not a SQLite database"):
        open_state(path)
    assert path.read_bytes() == b"my precious notes\n" * 10


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table customers (id int)")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="not a legal-monitor state database"):
        open_state(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "m.db"
    open_state(path).close()
    conn = sqlite3.connect(path)
    conn.execute("update meta set value = '999' where key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="schema version 999 is newer"):
        open_state(path)


def test_corrupt_database_is_a_clear_cli_error(tmp_path):
    db = tmp_path / "m.db"
    open_state(db).close()
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # trash the schema page, keep the header
    db.write_bytes(bytes(data))
    config = write_config(tmp_path, f'[state]\npath = "{db}"\n')
    result = run_cli("--config", str(config), "sources")
    assert result.returncode == 2
    assert "corrupt" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_state_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    config = write_config(tmp_path, f'[state]\npath = "{blocker}/sub/m.db"\n')
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 2
    assert "cannot create the state folder" in result.stderr and "Traceback" not in result.stderr
