"""Shared test parts for the depositary kinds: one source and its database, checked as the daemon does."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from helpers.cli import run_cli
from helpers.paths import FIXTURES
from monitor.config import parse_config
from monitor.net import Fetcher
from monitor.pipeline import check_source
from monitor.sources import create
from monitor.store import open_state

__all__ = ["FIXTURES", "Monitor", "alerts", "cli_check", "cli_events"]


class Monitor:
    """A source of `kind` and its state database: `check()` runs one check as the daemon does."""

    def __init__(self, tmp_path: Path, kind: str, **options: Any):
        raw = {"state": {"path": str(tmp_path / "state.db")},
               "sources": [{"name": kind, "kind": kind, "retries": 0, "host_delay": "0s", **options}]}
        self.config = parse_config(raw, tmp_path / "monitor.toml").sources[0]
        self.state = open_state(tmp_path / "state.db")

    def check(self):
        async def run():
            async with Fetcher([self.config], backoff_base=0.001) as fetcher:
                return await check_source(create(self.config), self.state, fetcher)
        return asyncio.run(run())

    def records(self) -> dict:
        return {s.record.key: s.record for s in self.state.records(self.config.name)}

    def memo(self) -> dict:
        return json.loads(self.state.source_row(self.config.name)["memo"] or "{}")


def alerts(report) -> list[tuple]:
    """(type, subject, date, effective date) of each event of a check's report."""
    return [(e.type, e.subject, e.date, e.effective_date) for e in report.events]


def cli_check(path: Path) -> tuple[int, list[dict], str]:
    """`legal-monitor check --json` as a subprocess: exit code, reports, stderr."""
    result = run_cli("--config", str(path), "check", "--json")
    reports = json.loads(result.stdout) if result.stdout.strip() else []
    return result.returncode, reports, result.stderr


def cli_events(path: Path) -> list[dict]:
    """`events --json` as a subprocess."""
    return json.loads(run_cli("--config", str(path), "events", "--json").stdout)
