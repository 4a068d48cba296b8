"""One check cycle in the test's own process (faster than the CLI, for the failure paths)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from monitor.config import load_config
from monitor.pipeline import CheckReport, check_all
from monitor.store import open_state


def check_here(path: Path) -> list[CheckReport]:
    """The reports of one cycle over every source of the config at `path`, its database closed after."""
    config = load_config(path)
    state = open_state(config.state_path)
    try:
        return asyncio.run(check_all(config, state))
    finally:
        state.close()
