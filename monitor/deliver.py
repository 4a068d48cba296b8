"""The delivery step: send what the outbox holds, retry with backoff, never send twice."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

from . import outbox
from . import channels
from .channels import Channel, ChannelConfig, Outgoing, SendResult
from .settings import Config
from .errors import StateError
from .events import Event
from .outcomes import DeliveryOutcome
from .clock import later, utcnow
from .related import already_told, with_related
from .state import State

log = logging.getLogger("monitor.deliver")

CLAIM = 600.0
"""How long a process holds the deliveries of the one message it is sending (each send claims
its own rows just before it goes); a crashed holder's claim then lapses."""


@dataclass
class Delivered:
    """The outcome of one delivery attempt, for the command line and logs."""

    delivery: str
    channel: str
    event: Event
    outcome: DeliveryOutcome
    detail: str


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` failed ones: base, 2×base, … up to cap, ±20%."""
    return min(cap, base * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


class Deliverer:
    """Routes new events to channels and sends due deliveries. One per process."""

    def __init__(self, config: Config, state: State):
        self.state = state
        user_agent = config.defaults["user_agent"]
        self.channels: dict[str, Channel] = {
            c.name: channels.create(c, user_agent) for c in config.channels if c.enabled}
        self._lock = asyncio.Lock()
        self.stopping = False
        """Set at a clean stop: the message being sent finishes, no other is claimed."""
        self._held: set[str] = set()
        """Deliveries this process claimed and has not settled."""
        self._unsaved: list[Callable[[], Any]] = []
        """Outcomes that could not be written (the database could not commit), written first next time."""
        self._failure: StateError | None = None

    def route(self, event: Event) -> list[ChannelConfig]:
        """The channels whose filters want `event` (and, with `stories = "first"`, that have
        not been sent another event of its story)."""
        return [channel.config for channel in self.channels.values() if channel.config.wants(event)
                and not (channel.config.stories == "first" and already_told(self.state, channel.name, event))]

    async def deliver_due(self) -> list[Delivered]:
        """Send every due pending delivery once; channels in parallel, each in order.

        Raises StateError when the database cannot commit; what was sent then is kept in
        memory and written at the next call, so nothing is sent twice or waits out a claim."""
        async with self._lock:
            self._save_outcomes()
            self._failure = None
            due = outbox.due(self.state, utcnow(), list(self.channels))
            with_related(self.state, [event for _, event in due])
            by_channel: dict[str, list[tuple[dict[str, Any], Event]]] = {}
            for row, event in due:
                by_channel.setdefault(row["channel"], []).append((row, event))
            results = await asyncio.gather(*(self._channel(self.channels[name], rows)
                                             for name, rows in by_channel.items()), return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            return [item for batch in results for item in batch]  # type: ignore[union-attr]

    def _save_outcomes(self) -> None:
        while self._unsaved:
            self._unsaved[0]()
            self._unsaved.pop(0)

    async def _channel(self, channel: Channel, rows: list[tuple[dict[str, Any], Event]]) -> list[Delivered]:
        batches = [rows] if channel.digest else [[row] for row in rows]
        out = []
        for batch in batches:
            if self.stopping:
                break
            now = utcnow()
            mine = outbox.claim(self.state, [row["id"] for row, _ in batch], now, later(now, CLAIM))
            batch = [(row, event) for row, event in batch if row["id"] in mine]
            if not batch:
                continue  # another process sends these
            self._held |= mine
            outgoing = [Outgoing(row["id"], event) for row, event in batch]
            try:
                result = await channel.send(outgoing)
            except Exception as exc:  # a bug in a channel must not stop the others
                log.debug("channel %s raised", channel.name, exc_info=True)
                result = SendResult(False, f"unexpected {type(exc).__name__}: {exc}", retry=True)
            for row, event in batch:
                out.append(self._settle(channel.config, row, event, result))
            if self._failure:  # the database cannot commit: send nothing more now
                raise self._failure
        return out

    def _record(self, delivery: str, write: Callable[[], Any]) -> None:
        """Write a delivery's outcome; if the database cannot commit, keep it for later."""
        try:
            write()
        except StateError as exc:
            self._unsaved.append(write)
            self._failure = exc
        finally:
            self._held.discard(delivery)

    def _settle(self, channel: ChannelConfig, row: dict[str, Any], event: Event, result: SendResult) -> Delivered:
        now = utcnow()
        what = f"{event.type} event {event.id} to {channel.name}"
        if result.ok:
            self._record(row["id"], partial(outbox.mark_sent, self.state, row["id"], now, result.status,
                                            result.detail))
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
            self._record(row["id"], partial(outbox.mark_failed, self.state, row["id"], now, result.status, error,
                                            self.route))
            log.error("delivery of %s failed: %s", what, error)
            return Delivered(row["id"], channel.name, event, "failed", error)
        self._record(row["id"], partial(outbox.mark_retry, self.state, row["id"], next_at, result.status,
                                        result.detail))
        log.warning("delivery of %s will be retried at %s: %s", what, next_at, result.detail)
        return Delivered(row["id"], channel.name, event, "retry", result.detail)

    def release(self) -> None:
        """At a clean stop: write what is unsaved, and give back claims on what was not sent."""
        try:
            self._save_outcomes()
            if self._held:
                outbox.release_claims(self.state, sorted(self._held))
                self._held.clear()
        except StateError as exc:
            log.error("could not release delivery claims at stop (they lapse within %.0fs): %s", CLAIM, exc)

    async def aclose(self) -> None:
        self.release()
        for channel in self.channels.values():
            await channel.aclose()
