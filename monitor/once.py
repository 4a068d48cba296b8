"""`check` from the command line: the chosen sources checked once, then what is due sent."""

from __future__ import annotations

from .check import CheckReport, check_all
from .deliver import Delivered, Deliverer
from .errors import MonitorError
from .settings import Config
from .state import State


def known_sources(config: Config, names: list[str] | None) -> list[str] | None:
    """`names` when every one is a configured source; else a MonitorError listing the known ones."""
    known = {source.name for source in config.sources}
    unknown = [name for name in names or [] if name not in known]
    if unknown:
        raise MonitorError(f"unknown source {', '.join(map(repr, unknown))} "
                           f"(known: {', '.join(sorted(known)) or 'none'})")
    return names


async def check_once(config: Config, state: State, names: list[str] | None = None, *,
                     accept_shrink: bool = False) -> tuple[list[CheckReport], list[Delivered]]:
    """Check the named sources (default: every enabled one), then send every due delivery,
    theirs and any others waiting; return the reports and the deliveries' outcomes."""
    deliverer = Deliverer(config, state)
    try:
        reports = await check_all(config, state, names, accept_shrink=accept_shrink)
        return reports, await deliverer.deliver_due()
    finally:
        await deliverer.aclose()
