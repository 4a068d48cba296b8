"""The state database: migrations, refusal of foreign or corrupt files, atomic checks."""

from __future__ import annotations

import sqlite3

import pytest

from helpers.cli import run_cli
from helpers.config import write_config
from monitor.errors import StateError
from monitor.store.state import SCHEMA_VERSION, open_state


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


def _check(now: str, **kw):
    from monitor.net.context import DocUpdate
    from monitor.store import SuccessfulCheck

    return SuccessfulCheck(source="s", kind="html", started_at=now, duration=0.1, outcome=kw.pop("outcome", "baseline"),
                           bytes=10, requests=1, not_modified=0,
                           documents=[DocUpdate("http://x/", "http://x/", '"v1"', None, "h1", b"body")], memo={}, **kw)


def test_a_check_that_fails_while_writing_leaves_nothing_and_the_next_one_commits(tmp_path):
    from monitor.events import Event

    state = open_state(tmp_path / "m.db")
    unwritable = Event(id="ev_1", type="record_added", source="s", key="k", details={"x": object()})
    with pytest.raises(TypeError):  # the event's details cannot be stored: after the document rows were written
        state.record_success(_check("2026-01-01T00:00:00Z", events=[unwritable]))
    assert not state.conn.in_transaction
    assert state.conn.execute("select count(*) from documents").fetchone()[0] == 0
    assert state.source_row("s") is None
    state.record_success(_check("2026-01-01T00:00:01Z"))
    other = sqlite3.connect(tmp_path / "m.db")  # committed: another connection sees it
    assert other.execute("select key, hash from documents").fetchall() == [("http://x/", "h1")]
    other.close()
    state.close()


def test_an_unchanged_check_reports_the_stored_record_count_and_clears_a_failure_streak(tmp_path):
    from monitor.diff import PartDiff

    state = open_state(tmp_path / "m.db")
    state.conn.execute("insert into sources (name, kind, created_at, records, consecutive_failures, failing_since,"
                       " last_error) values ('s', 'html', 'then', 47, 1, 'then', 'HTTP 500')")
    _, records, streak = state.record_success(_check("2026-01-01T00:00:00Z", outcome="unchanged",
                                                     parts=[("", None, PartDiff())]))
    assert (records, streak) == (47, 0)
    row = state.source_row("s")
    assert (row["records"], row["consecutive_failures"], row["failing_since"], row["last_error"]) == (47, 0, None, None)
    _, records, streak = state.record_success(_check("2026-01-01T00:00:01Z", outcome="unchanged",
                                                     parts=[("", None, PartDiff())]))
    assert (records, streak) == (47, 0)
    state.close()


def test_an_older_database_gains_the_index_a_cycle_finds_missing_records_by(tmp_path):
    import sqlite_utils

    from monitor.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:5]:  # as schema version 5 left it
        migration(db)
    db.execute("insert into meta (key, value) values ('schema_version', '5')")
    db.conn.commit()
    db.close()
    state = open_state(path)
    try:
        plan = state.db.execute("explain query plan select distinct source, part from records where missing > 0"
                                " and removed_at is null and source in (?, ?)", ["a", "b"]).fetchall()
        assert "records_missing" in " ".join(str(step) for step in plan)  # not a read of every record
    finally:
        state.close()
