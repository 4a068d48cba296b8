"""`legal-monitor serve`: the dashboard and feeds alone, reading the database beside a daemon."""

from __future__ import annotations

import asyncio
import signal

from monitor.errors import MonitorError
from monitor.settings import Config
from monitor.store import open_state
from monitor.web.app import Endpoint
from monitor.web.metrics import Metrics


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
