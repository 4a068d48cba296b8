"""`legal-monitor serve`: the dashboard and feeds alone, reading the database beside a daemon."""

from __future__ import annotations

import signal
import threading

from .settings import Config
from .errors import MonitorError
from .metrics import Metrics
from .state import open_state
from .web import Endpoint


def serve(config: Config, listen: str) -> None:
    """Serve the HTTP pages until SIGTERM or SIGINT; never checks a source or sends an alert."""
    open_state(config.state_path, config.keep_snapshots).close()  # create or upgrade it before the first page
    try:
        endpoint = Endpoint(listen, config.state_path, Metrics(), lambda: [], lambda: config)
    except OSError as exc:
        raise MonitorError(f"cannot serve HTTP on {listen}: {exc.strerror or exc}") from None
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    endpoint.start()
    while not stop.wait(1):
        pass
    endpoint.stop()
