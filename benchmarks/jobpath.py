"""One cycle through the daemon's job path: `Daemon._check` for every enabled source, at once.

``python -m benchmarks.jobpath CONFIG`` builds the daemon as `legal-monitor run` does and
awaits the job the scheduler would fire for each source, without the scheduler's timing,
then closes the daemon's clients and the database.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from monitor.config import load_config
from monitor.daemon import Daemon
from monitor.store.state import state_for


async def cycle(config_path: str) -> int:
    config = load_config(config_path)
    state = state_for(config)
    try:
        daemon = Daemon(config, state)
        try:
            await asyncio.gather(*(daemon._check(source) for source in config.sources if source.enabled))
        finally:
            await daemon.fetcher.aclose()
            await daemon.deliverer.aclose()
    finally:
        state.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m benchmarks.jobpath CONFIG", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.run(cycle(args[0]))


if __name__ == "__main__":
    sys.exit(main())
