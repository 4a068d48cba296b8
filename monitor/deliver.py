"""The delivery step: send what the outbox holds, retry with backoff, never send twice."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Any

from .channels import CHANNEL_KINDS, Channel, ChannelConfig, Outgoing, SendResult
from .config import Config
from .events import Event
from .clock import later, utcnow
from .related import already_told, with_related
from .state import State

log = logging.getLogger("monitor.deliver")

CLAIM = 600.0
"""How long a process holds deliveries it is sending; a crashed holder's claim then lapses."""


@dataclass
class Delivered:
    """The outcome of one delivery attempt, for the command line and logs."""

    delivery: str
    channel: str
    event: Event
    outcome: str
    """"sent", "retry" or "failed"."""
    detail: str


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` failed ones: base, 2×base, … up to cap, ±20%."""
    return min(cap, base * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


class Deliverer:
    """Routes new events to channels and sends due deliveries. One per process."""

    def __init__(self, config: Config, state: State):
        self.state = state
        user_agent = config.defaults.get("user_agent") or "legal-monitor"
        self.channels: dict[str, Channel] = {
            c.name: CHANNEL_KINDS[c.kind](c, user_agent) for c in config.channels if c.enabled}
        self._lock = asyncio.Lock()

    def route(self, event: Event) -> list[ChannelConfig]:
        """The channels whose filters want `event` (and, with `stories = "first"`, that have
        not been sent another event of its story)."""
        return [channel.config for channel in self.channels.values() if channel.config.wants(event)
                and not (channel.config.stories == "first" and already_told(self.state, channel.name, event))]

    async def deliver_due(self) -> list[Delivered]:
        """Send every due pending delivery once; channels in parallel, each in order."""
        async with self._lock:
            now = utcnow()
            claim = later(now, CLAIM)
            due = self.state.due_deliveries(now, list(self.channels), claim)
            with_related(self.state, [event for _, event in due])
            by_channel: dict[str, list[tuple[dict[str, Any], Event]]] = {}
            for row, event in due:
                by_channel.setdefault(row["channel"], []).append((row, event))
            results = await asyncio.gather(*(self._channel(self.channels[name], rows)
                                             for name, rows in by_channel.items()))
            return [item for batch in results for item in batch]

    async def _channel(self, channel: Channel, rows: list[tuple[dict[str, Any], Event]]) -> list[Delivered]:
        batches = [rows] if channel.digest else [[row] for row in rows]
        out = []
        for batch in batches:
            outgoing = [Outgoing(row["id"], event) for row, event in batch]
            try:
                result = await channel.send(outgoing)
            except Exception as exc:  # a bug in a channel must not stop the others
                log.debug("channel %s raised", channel.name, exc_info=True)
                result = SendResult(False, f"unexpected {type(exc).__name__}: {exc}", retry=True)
            for row, event in batch:
                out.append(self._settle(channel.config, row, event, result))
        return out

    def _settle(self, channel: ChannelConfig, row: dict[str, Any], event: Event, result: SendResult) -> Delivered:
        now = utcnow()
        what = f"{event.type} event {event.id} to {channel.name}"
        if result.ok:
            self.state.delivery_sent(row["id"], now, result.status, result.detail)
            log.info("delivered %s: %s", what, result.detail)
            return Delivered(row["id"], channel.name, event, "sent", result.detail)
        attempts = row["attempts"] + 1
        wait = backoff(attempts, channel.retry_base, channel.retry_max)
        if result.retry_after:
            wait = max(wait, result.retry_after)
        next_at = later(now, wait)
        give_up = None
        if not result.retry:
            give_up = "permanent failure"
        elif channel.max_attempts and attempts >= channel.max_attempts:
            give_up = f"gave up after {attempts} attempts"
        elif next_at > row["expires_at"]:
            give_up = f"gave up after {attempts} attempts since {row['created_at']}"
        if give_up:
            error = f"{give_up}: {result.detail}"
            self.state.delivery_failed(row["id"], now, result.status, error, self.route)
            log.error("delivery of %s failed: %s", what, error)
            return Delivered(row["id"], channel.name, event, "failed", error)
        self.state.delivery_retry(row["id"], next_at, result.status, result.detail)
        log.warning("delivery of %s will be retried at %s: %s", what, next_at, result.detail)
        return Delivered(row["id"], channel.name, event, "retry", result.detail)

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()
