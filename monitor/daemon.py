"""The daemon: APScheduler runs each enabled source on its interval until told to stop."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import sources
from monitor.clock import iso, later, utcnow
from monitor.config import Config, SourceConfig, load_config
from monitor.errors import ConfigError, StateError
from monitor.net import Fetcher
from monitor.pipeline import Deliverer, check_source
from monitor.schedule import next_check
from monitor.store import DaemonLock, State
from monitor.text import plural
from monitor.web import Metrics

log = logging.getLogger("monitor.daemon")

STARTUP_SPREAD = 30.0
"""Overdue sources start within this many seconds of start-up (at most their interval)."""


def run_time(source: SourceConfig, row: dict | None, now: datetime, spread: float = 0.0) -> datetime:
    """When the daemon runs `source` next: its `next_check`, but not before now, and an
    overdue or new source at a random moment within `spread` seconds (at most its interval)."""
    soon = now + timedelta(seconds=random.uniform(0, min(spread, source.interval)))
    due = next_check(source, row)
    return soon if due is None else max(due, soon)


class Daemon:
    """Holds the scheduler, the shared fetcher, the deliverer and the in-flight checks."""

    def __init__(self, config: Config, state: State, config_path: Path | None = None):
        self.config = config
        self.config_path = config_path or config.path
        self.state = state
        state.outbox.channels = list(config.channels)  # new events are queued for this config's channels
        self.fetcher = Fetcher(config.sources)
        self.retired: list = []
        """Fetchers and deliverers replaced by a reload, closed at exit."""
        self.deliverer = Deliverer(config, state)
        self.scheduler = AsyncIOScheduler(timezone=timezone.utc)
        self.metrics = Metrics()
        self.stopping = asyncio.Event()
        self.running: set[asyncio.Task] = set()
        self.locks: dict[str, asyncio.Lock] = {}
        """One per source: its sweep and its fast paths run one at a time."""
        self.heartbeat = 0.0

    # --- scheduling ----------------------------------------------------------------------

    def _add_source(self, source: SourceConfig, row: dict | None, now: datetime) -> None:
        at = run_time(source, row, now, STARTUP_SPREAD)
        self.scheduler.add_job(
            self._check, IntervalTrigger(seconds=source.interval), args=[source], id=f"source:{source.name}",
            name=source.name, max_instances=1, coalesce=True, misfire_grace_time=max(1, int(source.interval)),
            next_run_time=at, replace_existing=True)
        log.info("next check of %s at %s, in %.1fs", source.name, iso(at), (at - now).total_seconds(),
                 extra={"source": source.name, "next_check": iso(at)})
        self._add_fast_paths(source, now)

    def _add_fast_paths(self, source: SourceConfig, now: datetime) -> None:
        """The source's fast paths (see `Source.fast_paths`): each its own job on its own
        interval, with the jitter of its source (at most a tenth of its interval), first run
        at a random moment of its first interval; those a reload turned off are removed."""
        paths = sources.create(source).fast_paths()
        for job in self.scheduler.get_jobs():
            if job.id.startswith(f"fast:{source.name}:") and job.id.rsplit(":", 1)[1] not in paths:
                job.remove()
        for path, interval in paths.items():
            jitter = min(source.jitter, interval / 10)
            at = now + timedelta(seconds=random.uniform(0, min(STARTUP_SPREAD, interval)))
            self.scheduler.add_job(
                self._check, IntervalTrigger(seconds=interval, jitter=jitter or None), args=[source, path],
                id=f"fast:{source.name}:{path}", name=f"{source.name} ({path})", max_instances=1, coalesce=True,
                misfire_grace_time=max(1, int(interval)), next_run_time=at, replace_existing=True)
            log.info("fast path %s of %s every %.0fs, first at %s", path, source.name, interval, iso(at),
                     extra={"source": source.name, "next_check": iso(at)})

    def _remove_source(self, name: str) -> None:
        for job in self.scheduler.get_jobs():
            if job.id == f"source:{name}" or job.id.startswith(f"fast:{name}:"):
                job.remove()

    def schedule(self) -> None:
        now = datetime.now(timezone.utc)
        rows = self.state.source_rows()
        for source in self.config.sources:
            if source.enabled:
                self._add_source(source, rows.get(source.name), now)
        self.scheduler.add_job(self._deliver, IntervalTrigger(seconds=self.config.delivery_interval),
                               id="deliveries", next_run_time=now, coalesce=True, max_instances=1)
        self.scheduler.add_job(self._prune, IntervalTrigger(hours=6), id="prune-checks",
                               next_run_time=now + timedelta(seconds=60), coalesce=True, max_instances=1)
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED)

    def _missed(self, event: JobExecutionEvent) -> None:
        # With coalesce, a run missed by more than its grace time (the host was asleep,
        # the loop was blocked) is dropped; the next one follows on the interval.
        log.warning("missed the scheduled run of %s at %s; the next follows on its interval",
                    event.job_id, event.scheduled_run_time)

    async def _check(self, source: SourceConfig, path: str | None = None) -> None:
        """One check of `source`: its sweep, or with `path` one run of that fast path. The
        jobs of one source never overlap: they share its records and memo."""
        if self.stopping.is_set():
            return
        task = asyncio.current_task()
        assert task is not None
        self.running.add(task)
        try:
            async with self.locks.setdefault(source.name, asyncio.Lock()):
                report = await check_source(sources.create(source), self.state, self.fetcher, path=path)
        except asyncio.CancelledError:
            log.info("check of %s cancelled at shutdown; nothing of it was written", source.name,
                     extra={"source": source.name, "outcome": "cancelled"})
            return
        except StateError as exc:  # a full disk, say: one line per check, and the next one tries again
            log.error("check of %s not saved: %s", source.name, exc, extra={"source": source.name, "outcome": "error"})
            return
        finally:
            self.running.discard(task)
        self.metrics.observe_check(source.name, report.outcome, report.duration, (e.type for e in report.events))
        if path is None:  # a fast path keeps its own interval
            self._reschedule(source)
        if report.events and not self.stopping.is_set():
            await self._deliver()

    def _reschedule(self, source: SourceConfig) -> None:
        """Set the next run from the database, as `status` shows it: the interval with its
        jitter, or a retry after a failed check."""
        job = self.scheduler.get_job(f"source:{source.name}")
        row = self.state.source_row(source.name)
        if job is None or row is None:
            return
        source = job.args[0]  # as a reload during the check may have changed it
        now = datetime.now(timezone.utc)
        at = run_time(source, row, now)
        job.modify(next_run_time=at)
        fields = {"source": source.name, "next_check": iso(at)}
        if row["last_outcome"] == "failed":
            log.info("retrying %s at %s, in %.1fs (after %s in a row)", source.name, iso(at),
                     (at - now).total_seconds(), plural(row["consecutive_failures"], "failure"), extra=fields)
        else:
            log.debug("next check of %s at %s", source.name, iso(at), extra=fields)

    async def _deliver(self) -> None:
        """Send due deliveries; also runs right after a check that found events."""
        task = asyncio.current_task()
        if not self.deliverer.channels or task is None:
            return
        self.running.add(task)  # a clean stop lets the message being sent finish
        try:
            for item in await self.deliverer.deliver_due():
                self.metrics.observe_delivery(item.channel, item.outcome)
        except StateError as exc:
            log.error("deliveries paused: %s", exc)
        finally:
            self.running.discard(task)

    async def _prune(self) -> None:
        cutoff = later(utcnow(), -self.config.keep_checks)
        try:
            removed = self.state.prune_checks(cutoff)
            documents = self.state.prune_documents(cutoff)
        except StateError as exc:
            log.error("pruning skipped: %s", exc)
            return
        if removed or documents:
            log.info("pruned %d check-log rows and %d documents not fetched since %s", removed, documents, cutoff)

    # --- reload --------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the config; apply it only if it is valid, else keep running the old one."""
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("reload refused, keeping the running config: %s", problem)
            return
        if config.state_path != self.config.state_path:
            log.error("reload refused: [state] path changed (%s); restart to use another database",
                      config.state_path)
            return
        old = {s.name: s for s in self.config.sources if s.enabled}
        new = {s.name: s for s in config.sources if s.enabled}
        now = datetime.now(timezone.utc)
        rows = self.state.source_rows()
        for name in old.keys() - new.keys():
            self._remove_source(name)
            log.info("reload: removed source %s", name)
        for name, source in new.items():
            if name not in old:
                self._add_source(source, rows.get(name), now)
                log.info("reload: added source %s", name)
            elif source != old[name]:
                self._add_source(source, rows.get(name), now)
                log.info("reload: changed source %s", name)
        self.retired += [self.fetcher, self.deliverer]  # running checks finish on the old ones
        self.fetcher = Fetcher(config.sources)
        self.deliverer = Deliverer(config, self.state)
        self.state.outbox.channels = list(config.channels)  # new events go to the new channels
        self.config = config
        log.info("reloaded %s: %d sources, %d channels", self.config_path, len(new), len(config.channels))

    # --- life cycle ----------------------------------------------------------------------

    async def _beat(self) -> None:
        while not self.stopping.is_set():
            self.heartbeat = time.monotonic()
            await asyncio.sleep(1)

    def alive(self) -> bool:
        """For /healthz: the scheduler runs and the event loop turned within 10 seconds."""
        return self.scheduler.running and not self.stopping.is_set() and time.monotonic() - self.heartbeat < 10

    def problems(self) -> list[str]:
        """For /healthz: what keeps the daemon from doing its work, if anything."""
        found = [] if self.alive() else ["scheduler not running"]
        if self.state.write_error:
            since, why = self.state.write_error
            found.append(f"database cannot commit since {since}: {why}")
        return found

    async def run(self, http_listen: str | None = None) -> None:
        endpoint, web = None, None
        listen = http_listen or self.config.http_listen
        if listen:  # bound first, so a taken port stops start-up before anything runs
            from monitor.web import Endpoint

            endpoint = Endpoint(listen, self.state.path, self.metrics, self.problems, lambda: self.config)
            web = asyncio.create_task(endpoint.serve())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop, sig)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        released = self.state.outbox.release_claims()
        if released:
            log.info("re-queued %d deliveries left unfinished by an earlier run", released)
        self.schedule()
        self.scheduler.start()
        beat = asyncio.create_task(self._beat())
        enabled = [s for s in self.config.sources if s.enabled]
        channels = plural(len(self.deliverer.channels), "channel") if self.deliverer.channels else (
            "no alert channel: events are stored (`legal-monitor events`) but nobody is alerted; "
            f"add a [[channels]] table to {self.config_path} (README: Alerts)")
        log.info("legal-monitor running: %s, %s, state %s, config %s", plural(len(enabled), "source"),
                 channels, self.state.path, self.config_path)
        await self.stopping.wait()
        if endpoint:  # it drains its requests while the checks finish
            endpoint.stop()
        for deliverer in [self.deliverer, *self.retired]:
            if isinstance(deliverer, Deliverer):
                deliverer.stopping = True
        # Pause, not shut down, while running checks finish: shutting the scheduler down
        # would cancel its running jobs at once.
        self.scheduler.pause()
        if self.running:
            log.info("waiting up to %.0fs for %d running checks", self.config.shutdown_timeout, len(self.running))
            done, pending = await asyncio.wait(set(self.running), timeout=self.config.shutdown_timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2)
                log.info("cancelled %d checks; they leave the database as it was", len(pending))
        self.scheduler.shutdown(wait=False)
        beat.cancel()
        if web:
            await web
        for closable in [self.fetcher, self.deliverer, *self.retired]:
            await closable.aclose()
        log.info("legal-monitor stopped")

    def _stop(self, sig: signal.Signals) -> None:
        if not self.stopping.is_set():
            log.info("received %s, stopping", sig.name)
            self.stopping.set()


def run_daemon(config: Config, state: State, http_listen: str | None = None) -> None:
    """Run until SIGTERM/SIGINT, holding the state database's daemon lock."""
    lock = DaemonLock(state.path)
    lock.acquire()
    try:
        asyncio.run(Daemon(config, state).run(http_listen))
    finally:
        lock.release()
