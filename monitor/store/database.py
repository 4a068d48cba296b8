"""Connections to the state database file, made through SQLite alone.

On POSIX, closing any descriptor of a file drops every fcntl lock the process holds on it,
including those of SQLite's own connections; the next process to close its connection then
believes it is the last and deletes the WAL. So nothing here opens, reads, copies or renames
the database file itself: a foreign file is recognised by SQLite's own answer, and the only
descriptor opened outside SQLite creates a file that did not exist (no connection can hold a
lock on it yet), to give it mode 0600.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar
from urllib.parse import quote

from monitor.clock import utcnow
from monitor.errors import StateError

NOT_SQLITE = ("not a SQLite database (refusing to touch it; move it aside or point [state] path elsewhere)")


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def create_private(path: Path) -> None:
    """Create the database file empty with mode 0600 (less if the umask says so), if it is missing.

    SQLite gives its -wal and -shm files the mode of the database file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError(f"cannot create the state folder {path.parent}: {exc.strerror or exc}") from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StateError(f"{path}: cannot create the state database: {exc.strerror or exc}") from None
    os.close(fd)


def _explain(path: Path, exc: sqlite3.DatabaseError, writing: bool) -> StateError:
    message = str(exc)
    if "file is not a database" in message:
        return StateError(f"{path}: {NOT_SQLITE}")
    if "readonly" in message or "unable to open" in message:
        verb = "write" if writing else "open"
        return StateError(f"{path}: cannot {verb} the state database: {message}")
    return StateError(f"{path}: the state database is corrupt or unreadable ({message}); "
                      "restore a backup or move it aside")


def connect(path: Path, *, readonly: bool = False, timeout: float = 30) -> sqlite3.Connection:
    """A connection in autocommit mode whose file SQLite has read: a foreign or corrupt file
    raises StateError. `readonly` never writes, and works on a file or folder it cannot write."""
    if path.is_dir():
        raise StateError(f"{path}: is a folder, not a database file")
    if readonly and not path.exists():
        raise StateError(f"{path}: no state database yet (a `check` or `run` creates it)")
    if not readonly:
        create_private(path)
    conn = None
    try:
        if readonly:
            conn = _connect_readonly(path, timeout)
        else:
            conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
        conn.execute("pragma schema_version").fetchone()  # SQLite reads the header: "file is not a database"
        if not readonly:
            conn.execute("pragma journal_mode = wal")
            conn.execute("pragma synchronous = normal")
        conn.execute("pragma foreign_keys = on")
        return conn
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise _explain(path, exc, not readonly) from None


_savepoints = itertools.count(1)


@contextmanager
def atomic(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction, or a savepoint within an open one, rolled back on any error (what
    sqlite-utils' `Database.atomic` does, without loading sqlite-utils on every start)."""
    if conn.in_transaction:
        name = f"monitor_{next(_savepoints)}"
        conn.execute(f"savepoint {name}")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # an error may already have ended the whole transaction
                conn.execute(f"rollback to savepoint {name}")
                conn.execute(f"release savepoint {name}")
            raise
        conn.execute(f"release savepoint {name}")
        return
    conn.execute("begin")
    try:
        yield
        conn.execute("commit")
    except BaseException:
        if conn.in_transaction:
            conn.execute("rollback")
        raise


def _connect_readonly(path: Path, timeout: float) -> sqlite3.Connection:
    uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    try:
        conn.execute("pragma schema_version").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        # A WAL database whose -wal/-shm cannot be created here (a read-only folder or mount)
        # and that no one is writing (there is no -wal): read it as the immutable file it is.
        if "unable to open" not in str(exc) or wal_path(path).exists():
            raise
    return sqlite3.connect(uri + "&immutable=1", uri=True, timeout=timeout, isolation_level=None)


T = TypeVar("T")


class Database:
    """An open state database shared by the store and the outbox: reads that raise StateError,
    and writes each in one transaction that remember the last one that could not commit."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self.write_error: tuple[str, str] | None = None
        """(when, why) of the last write that could not commit, until one commits again."""

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        try:
            cursor = self.conn.execute(sql, list(params))
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: cannot read the state database: {exc}") from None
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]

    def write(self, work: Callable[[], T]) -> T:
        """Run `work` in one transaction (a savepoint within an open one)."""
        try:
            with atomic(self.conn):
                result = work()
        except sqlite3.DatabaseError as exc:
            if self.write_error is None:
                self.write_error = (utcnow(), str(exc))
            raise StateError(f"{self.path}: cannot write the state database: {exc}") from None
        self.write_error = None
        return result
