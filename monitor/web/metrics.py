"""The /metrics families: checks, events and deliveries, exposed by prometheus_client.

Under `run` the daemon counts what it did since it started; under `serve`, which checks
nothing, the same families are read from the database. The gauges come from the database
in both, and read 0 for a configured source or channel that has nothing yet."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator, Mapping

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily

from monitor.outcomes import CheckOutcome, DeliveryOutcome

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Counts:
    """Counters of checks, their time, events and delivery attempts, by their labels."""

    checks: Counter[tuple[str, str]] = field(default_factory=Counter)
    check_seconds: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    deliveries: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class Gauges:
    """What the database holds now: the last success of each source, the pending deliveries."""

    last_success: dict[str, str | None]
    pending: dict[str, int]


class Metrics:
    """Counts of this process when `counting` (the daemon), else the database's (`serve`)."""

    def __init__(self, counting: bool = True) -> None:
        self.counting = counting
        self._lock = threading.Lock()
        self._counts = Counts()

    def observe_check(self, source: str, outcome: CheckOutcome, seconds: float, event_types: Iterable[str]) -> None:
        with self._lock:
            self._counts.checks[(source, outcome)] += 1
            self._counts.check_seconds[source] += seconds
            self._counts.events.update(event_types)

    def observe_delivery(self, channel: str, outcome: DeliveryOutcome) -> None:
        with self._lock:
            self._counts.deliveries[(channel, outcome)] += 1

    def counts(self, conn: sqlite3.Connection) -> Counts:
        """This process's counts, or, when it counts nothing, the database's."""
        if not self.counting:
            return counts_in(conn)
        with self._lock:
            return Counts(Counter(self._counts.checks), Counter(self._counts.check_seconds),
                          Counter(self._counts.events), Counter(self._counts.deliveries))

    def render(self, conn: sqlite3.Connection, sources: Iterable[str] = (), channels: Iterable[str] = ()) -> bytes:
        """The exposition text; `sources` and `channels` (the configured ones) read 0, not nothing."""
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Families(self.counts(conn), gauges_in(conn), list(sources), list(channels)))
        return generate_latest(registry)


class _Families:
    """A collector of one scrape's values."""

    def __init__(self, counts: Counts, gauges: Gauges, sources: list[str], channels: list[str]):
        self.counts, self.gauges, self.sources, self.channels = counts, gauges, sources, channels

    def collect(self) -> Iterator[Metric]:
        counts, gauges = self.counts, self.gauges
        yield _family(CounterMetricFamily, "legal_monitor_checks", "Checks by source and outcome.",
                      ["source", "outcome"], counts.checks)
        timed = SummaryMetricFamily("legal_monitor_check_duration_seconds", "Time spent checking, by source.",
                                    labels=["source"])
        per_source: Counter[str] = Counter()
        for (source, _), n in counts.checks.items():
            per_source[source] += n
        for source in sorted(set(per_source) | set(self.sources)):
            timed.add_metric([source], per_source[source], counts.check_seconds[source])
        yield timed
        yield _family(CounterMetricFamily, "legal_monitor_events", "New events by type.", ["type"],
                      {(kind,): n for kind, n in counts.events.items()})
        yield _family(CounterMetricFamily, "legal_monitor_deliveries", "Delivery attempts by channel and outcome.",
                      ["channel", "outcome"], counts.deliveries)
        yield _family(GaugeMetricFamily, "legal_monitor_deliveries_pending",
                      "Deliveries waiting to be sent, by channel.",
                      ["channel"], {(c,): gauges.pending.get(c, 0) for c in set(gauges.pending) | set(self.channels)})
        last = {(s,): gauges.last_success.get(s) for s in set(gauges.last_success) | set(self.sources)}
        yield _family(GaugeMetricFamily, "legal_monitor_last_success_timestamp_seconds",
                      "Unix time of the last successful check, by source (0: never).", ["source"],
                      {key: datetime.fromisoformat(stamp).timestamp() if stamp else 0 for key, stamp in last.items()})


def _family(kind: type, name: str, help_text: str, labels: list[str],
            values: Mapping[tuple[str, ...], float]) -> Metric:
    family = kind(name, help_text, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key), value)
    return family


def gauges_in(conn: sqlite3.Connection) -> Gauges:
    last = dict(conn.execute("select name, last_success from sources").fetchall())
    pending = dict(conn.execute("select channel, count(*) from deliveries where status = 'pending'"
                                " group by channel").fetchall())
    return Gauges(last, pending)


def counts_in(conn: sqlite3.Connection) -> Counts:
    """The counters as the database tells them: the checks it keeps (`keep_checks`), every
    event (held ones too, as the daemon counts them), each delivery's attempts (all but the
    last were retries)."""
    counts = Counts()
    for source, outcome, n, seconds in conn.execute(
            "select source, outcome, count(*), total(duration) from checks group by source, outcome"):
        counts.checks[(source, outcome)] = n
        counts.check_seconds[source] += seconds
    counts.events.update(dict(conn.execute("select type, count(*) from events group by type")))
    for channel, sent, failed, attempts in conn.execute(
            "select channel, total(status = 'sent'), total(status = 'failed'), total(attempts) from deliveries"
            " group by channel"):
        for outcome, n in (("sent", sent), ("failed", failed), ("retry", attempts - sent - failed)):
            if n > 0:
                counts.deliveries[(channel, outcome)] = int(n)
    return counts
