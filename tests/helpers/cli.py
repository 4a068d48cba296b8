"""The command line as a user runs it: `python -m monitor` as a subprocess, once or as a daemon."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from helpers.paths import ROOT
from helpers.schema import events_in, schema_errors


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `python -m monitor ARGS` as a subprocess and capture its output."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("LEGAL_MONITOR_CONFIG", None) if env is None or "LEGAL_MONITOR_CONFIG" not in env else None
    result = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd or ROOT, env=full_env,
                            capture_output=True, text=True, timeout=timeout)
    if "events" in args and "--json" in args and result.returncode == 0:  # the listing matches the schema
        errors = [error for event in events_in(result.stdout.encode()) for error in schema_errors(event)]
        assert errors == [], f"`events --json` gives events that do not match event-1.schema.json: {errors[:5]}"
    return result


class Daemon:
    """`legal-monitor run` in the background, with its stderr collected line by line."""

    def __init__(self, config, *extra, preexec_fn=None):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), *extra, "run"], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout=20.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; log:\n" + "\n".join(self.lines[-30:]))

    def logged(self, text):
        return any(text in line for line in self.lines)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.wait(timeout)
        self._reader.join(5)
        return self.process.returncode
