"""The daemon: APScheduler runs each enabled source on its interval until told to stop."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from .check import check_source, make_source
from .clock import later, utcnow
from .deliver import Deliverer
from .config import Config, SourceConfig
from .fetch import Fetcher
from .state import State

log = logging.getLogger("monitor.daemon")

STARTUP_SPREAD = 10.0
"""Overdue sources start within this many seconds of start-up, spread at random."""
SHUTDOWN_TIMEOUT = 10.0
DELIVERY_INTERVAL = 5.0
"""Seconds between runs of the delivery step (retries come due on their own schedule)."""


def first_run(source: SourceConfig, last_check: str | None, now: datetime) -> datetime:
    """When a source's first check after start-up is due: soon if overdue, else on time."""
    soon = now + timedelta(seconds=random.uniform(0, min(STARTUP_SPREAD, source.interval)))
    if not last_check:
        return soon
    due = datetime.fromisoformat(last_check) + timedelta(seconds=source.interval)
    return max(due, soon)


class Daemon:
    """Holds the scheduler, the shared fetcher and the in-flight checks."""

    def __init__(self, config: Config, state: State):
        self.config = config
        self.state = state
        self.fetcher = Fetcher(config.sources)
        self.deliverer = Deliverer(config, state)
        self.scheduler = AsyncIOScheduler(timezone=timezone.utc)
        self.stopping = asyncio.Event()
        self.running: set[asyncio.Task] = set()

    def schedule(self) -> None:
        now = datetime.now(timezone.utc)
        rows = self.state.source_rows()
        for source in self.config.sources:
            if not source.enabled:
                continue
            last = (rows.get(source.name) or {}).get("last_check")
            self.scheduler.add_job(
                self._check, IntervalTrigger(seconds=source.interval, jitter=source.jitter or None),
                args=[source], id=source.name, name=source.name, max_instances=1, coalesce=True,
                misfire_grace_time=int(source.interval), next_run_time=first_run(source, last, now))
        self.scheduler.add_job(self._deliver, IntervalTrigger(seconds=DELIVERY_INTERVAL), id="deliveries",
                               next_run_time=now, coalesce=True, max_instances=1)
        keep = timedelta(seconds=self.config.keep_checks)
        self.scheduler.add_job(self._prune, IntervalTrigger(hours=6), args=[keep], id="prune-checks",
                               next_run_time=now + timedelta(seconds=60), coalesce=True, max_instances=1)

    async def _check(self, source: SourceConfig) -> None:
        if self.stopping.is_set():
            return
        task = asyncio.current_task()
        assert task is not None
        self.running.add(task)
        try:
            report = await check_source(make_source(source), self.state, self.fetcher, route=self.deliverer.route)
        finally:
            self.running.discard(task)
        if report.events and not self.stopping.is_set():
            await self._deliver()

    async def _deliver(self) -> None:
        """Send due deliveries; also run right after a check that found events."""
        if self.deliverer.channels:
            await self.deliverer.deliver_due()

    async def _prune(self, keep: timedelta) -> None:
        cutoff = later(utcnow(), -keep.total_seconds())
        removed = self.state.prune_checks(cutoff)
        if removed:
            log.info("pruned %d check-log rows older than %s", removed, cutoff)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop, sig)
        released = self.state.release_claims()
        if released:
            log.info("re-queued %d deliveries left unfinished by an earlier run", released)
        self.schedule()
        self.scheduler.start()
        enabled = [s for s in self.config.sources if s.enabled]
        log.info("legal-monitor running: %d sources, state %s, config %s", len(enabled),
                 self.state.path, self.config.path)
        await self.stopping.wait()
        self.scheduler.shutdown(wait=False)
        if self.running:
            log.info("waiting up to %.0fs for %d running checks", SHUTDOWN_TIMEOUT, len(self.running))
            done, pending = await asyncio.wait(set(self.running), timeout=SHUTDOWN_TIMEOUT)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2)
        await self.fetcher.aclose()
        await self.deliverer.aclose()
        log.info("legal-monitor stopped")

    def _stop(self, sig: signal.Signals) -> None:
        if not self.stopping.is_set():
            log.info("received %s, stopping", sig.name)
            self.stopping.set()


def run_daemon(config: Config, state: State) -> None:
    asyncio.run(Daemon(config, state).run())
