"""`legal-monitor serve`: the dashboard and feeds alone, reading the database beside a daemon."""

from __future__ import annotations

import asyncio
import signal

from .settings import Config
from .errors import MonitorError
from .metrics import Metrics
from .state import open_state
from .web import Endpoint


def serve(config: Config, listen: str) -> None:
    """Serve the HTTP pages until SIGTERM or SIGINT; never checks a source or sends an alert."""
    open_state(config.state_path, config.keep_snapshots).close()  # create or upgrade it before the first page
    try:
        endpoint = Endpoint(listen, config.state_path, Metrics(counting=False), lambda: [], lambda: config)
    except OSError as exc:
        raise MonitorError(f"cannot serve HTTP on {listen}: {exc.strerror or exc}") from None

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, endpoint.stop)
        await endpoint.serve()
    asyncio.run(main())
