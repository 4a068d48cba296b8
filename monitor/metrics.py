"""In-process counters of checks, events and deliveries, rendered in Prometheus text format."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from typing import Iterable

from .outcomes import CheckOutcome, DeliveryOutcome


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    """Full precision: an integer as is, a float as the shortest text that reads back the same."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Metrics:
    """Counters since the daemon started (Prometheus handles the resets)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.checks: Counter[tuple[str, str]] = Counter()
        self.check_seconds: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self.deliveries: Counter[tuple[str, str]] = Counter()

    def observe_check(self, source: str, outcome: CheckOutcome, seconds: float, event_types: Iterable[str]) -> None:
        with self._lock:
            self.checks[(source, outcome)] += 1
            self.check_seconds[source] += seconds
            self.events.update(event_types)

    def observe_delivery(self, channel: str, outcome: DeliveryOutcome) -> None:
        with self._lock:
            self.deliveries[(channel, outcome)] += 1

    def render(self, last_success: dict[str, str | None], pending: dict[str, int]) -> str:
        """The exposition text; `last_success` and `pending` come from the database."""
        with self._lock:
            checks, seconds = dict(self.checks), dict(self.check_seconds)
            events, deliveries = dict(self.events), dict(self.deliveries)
        lines: list[str] = []

        def family(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")
            lines.extend(f"{name}{labels} {_number(value)}" for labels, value in samples)

        family("legal_monitor_checks_total", "counter", "Checks by source and outcome.",
               [(f'{{source="{_label(s)}",outcome="{_label(o)}"}}', n) for (s, o), n in sorted(checks.items())])
        counts: Counter[str] = Counter()
        for (source, _), n in checks.items():
            counts[source] += n
        family("legal_monitor_check_duration_seconds_sum", "counter", "Total time spent checking, by source.",
               [(f'{{source="{_label(s)}"}}', v) for s, v in sorted(seconds.items())])
        family("legal_monitor_check_duration_seconds_count", "counter", "Checks timed, by source.",
               [(f'{{source="{_label(s)}"}}', n) for s, n in sorted(counts.items())])
        family("legal_monitor_events_total", "counter", "New events by type.",
               [(f'{{type="{_label(t)}"}}', n) for t, n in sorted(events.items())])
        family("legal_monitor_deliveries_total", "counter", "Delivery attempts by channel and outcome.",
               [(f'{{channel="{_label(c)}",outcome="{_label(o)}"}}', n) for (c, o), n in sorted(deliveries.items())])
        family("legal_monitor_deliveries_pending", "gauge", "Deliveries waiting to be sent, by channel.",
               [(f'{{channel="{_label(c)}"}}', n) for c, n in sorted(pending.items())])
        family("legal_monitor_last_success_timestamp_seconds", "gauge",
               "Unix time of the last successful check, by source.",
               [(f'{{source="{_label(s)}"}}', datetime.fromisoformat(t).timestamp())
                for s, t in sorted(last_success.items()) if t])
        return "\n".join(lines) + "\n"
