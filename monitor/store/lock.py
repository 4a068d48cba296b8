"""One daemon per state database: an advisory lock file beside it, naming the holder's PID."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from monitor.errors import MonitorError


class AlreadyRunning(MonitorError):
    """Another daemon holds the lock of this state database."""


def lock_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".lock")


class DaemonLock:
    """Held while the daemon runs. The kernel drops it when the process dies, so a lock
    left by a dead process is simply taken over."""

    def __init__(self, state_path: Path):
        self.path = lock_path(state_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(f"another legal-monitor daemon (PID {holder}) is running on this state "
                                 f"database (lock {self.path})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_holder(state_path: Path) -> int | None:
    """The PID of the daemon holding the lock, or None when no daemon runs."""
    path = lock_path(state_path)
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise MonitorError(f"cannot read the daemon lock {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.read(fd, 64).decode(errors="replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
