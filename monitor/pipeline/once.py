"""One round of work from the command line, then what is due sent: `check` (the chosen sources
checked once) and `release` (held events queued)."""

from __future__ import annotations

from monitor.clock import utcnow
from monitor.errors import MonitorError
from monitor.events import Event
from monitor.pipeline.check import CheckReport, check_all
from monitor.pipeline.deliver import Delivered, Deliverer
from monitor.settings import Config
from monitor.store import State, release


def known_sources(config: Config, names: list[str] | None) -> list[str] | None:
    """`names` when every one is a configured source; else a MonitorError listing the known ones."""
    known = {source.name for source in config.sources}
    unknown = [name for name in names or [] if name not in known]
    if unknown:
        raise MonitorError(f"unknown source {', '.join(map(repr, unknown))} "
                           f"(known: {', '.join(sorted(known)) or 'none'})")
    return names


def listed_sources(config: Config, state: State, names: list[str] | None) -> list[str] | None:
    """`names` for a listing (`events`, `held`): each a configured source or one the database
    still holds; else the MonitorError `check` gives for an unknown source."""
    stored = state.source_rows() if names else {}
    known_sources(config, [name for name in names or [] if name not in stored])
    return names


async def deliver_round(deliverer: Deliverer) -> list[Delivered]:
    """Send every due delivery, then the `delivery_failed` alerts those sends raised, so that
    a run of the command line reports its own failures before it ends."""
    sent = await deliverer.deliver_due()
    done = list(sent)
    while any(item.outcome == "failed" and item.event.type != "delivery_failed" for item in sent):
        sent = await deliverer.deliver_due()  # only what the failures queued is due now
        done += sent
    return done


async def check_once(config: Config, state: State, names: list[str] | None = None, *,
                     accept_shrink: bool = False) -> tuple[list[CheckReport], list[Delivered]]:
    """Check the named sources (default: every enabled one), then send every due delivery,
    theirs and any others waiting; return the reports and the deliveries' outcomes."""
    deliverer = Deliverer(config, state)
    try:
        reports = await check_all(config, state, names, accept_shrink=accept_shrink)
        return reports, await deliver_round(deliverer)
    finally:
        await deliverer.aclose()


async def release_once(config: Config, state: State, ids: list[str] | None, sources: list[str] | None, *,
                       send: bool = True) -> tuple[list[Event], list[Delivered]]:
    """Queue the deliveries of the chosen held events (see `held.release`), then, if `send`,
    send every due delivery; return the released events and the deliveries' outcomes."""
    deliverer = Deliverer(config, state)
    try:
        released = release(state, utcnow(), ids, sources)
        return released, await deliver_round(deliverer) if send else []
    finally:
        await deliverer.aclose()
