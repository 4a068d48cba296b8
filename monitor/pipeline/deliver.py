"""The delivery step: send what the outbox holds, retry with backoff, never send twice.

Which channels take an event is the outbox's decision, made when the event is stored; this
module only sends what is due, and records each outcome in the outbox."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable

from monitor import channels
from monitor.channels import Channel, ChannelConfig, Outgoing, SendResult
from monitor.clock import later, utcnow
from monitor.errors import StateError
from monitor.events import Event
from monitor.outcomes import DeliveryOutcome
from monitor.settings import Config
from monitor.store import Delivery, Outbox, State, with_related

log = logging.getLogger("monitor.deliver")  # the name JSON log lines carry: kept as it was

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
    """Sends the due deliveries of the state's outbox through the channels. One per process."""

    def __init__(self, config: Config, state: State | None, names: Iterable[str] | None = None):
        """The enabled channels, or those `names` (enabled or not); without a `state` it
        can only `send_test`."""
        self.state = state
        user_agent = config.defaults["user_agent"]
        known = {c.name: c for c in config.channels}
        chosen = [c for c in config.channels if c.enabled] if names is None else [known[n] for n in names]
        self.channels: dict[str, Channel] = {c.name: channels.create(c, user_agent) for c in chosen}
        self._lock = asyncio.Lock()
        self.stopping = False
        """Set at a clean stop: the message being sent finishes, no other is claimed."""
        self._held: set[str] = set()
        """Deliveries this process claimed and has not settled."""
        self._unsaved: list[Callable[[], Any]] = []
        """Outcomes that could not be written (the database could not commit), written first next time."""
        self._failure: StateError | None = None

    @property
    def _state(self) -> State:
        if self.state is None:
            raise RuntimeError("this deliverer has no state database")
        return self.state

    @property
    def outbox(self) -> Outbox:
        return self._state.outbox

    async def deliver_due(self) -> list[Delivered]:
        """Send every due pending delivery once; channels in parallel, each in order.

        Raises StateError when the database cannot commit; what was sent then is kept in
        memory and written at the next call, so nothing is sent twice or waits out a claim."""
        async with self._lock:
            self._save_outcomes()
            self._failure = None
            due = self.outbox.due(utcnow(), list(self.channels))
            with_related(self._state, [event for _, event in due])
            by_channel: dict[str, list[tuple[Delivery, Event]]] = {}
            for row, event in due:
                by_channel.setdefault(row.channel, []).append((row, event))
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

    async def _channel(self, channel: Channel, rows: list[tuple[Delivery, Event]]) -> list[Delivered]:
        batches = [rows] if channel.digest else [[row] for row in rows]
        out = []
        for batch in batches:
            if self.stopping:
                break
            now = utcnow()
            mine = self.outbox.claim([row.id for row, _ in batch], now, later(now, CLAIM))
            batch = [(row, event) for row, event in batch if row.id in mine]
            if not batch:
                continue  # another process sends these
            self._held |= mine
            result = await _send(channel, [Outgoing(row.id, event) for row, event in batch])
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

    def _settle(self, channel: ChannelConfig, row: Delivery, event: Event, result: SendResult) -> Delivered:
        now = utcnow()
        what = f"{event.type} event {event.id} to {channel.name}"
        if result.ok:
            self._record(row.id, partial(self.outbox.mark_sent, row.id, now, result.status, result.detail))
            log.info("delivered %s: %s", what, result.detail)
            return Delivered(row.id, channel.name, event, "sent", result.detail)
        attempts = row.attempts + 1
        wait = backoff(attempts, channel.retry_base, channel.retry_max)
        if result.retry_after:
            wait = max(wait, result.retry_after)
        next_at = later(now, wait)
        give_up = None
        if not result.retry:
            give_up = "permanent failure"
        elif channel.max_attempts and attempts >= channel.max_attempts:
            give_up = f"gave up after {attempts} attempts"
        elif next_at > row.expires_at:
            give_up = f"gave up after {attempts} attempts since {row.created_at}"
        if give_up:
            error = f"{give_up}: {result.detail}"
            self._record(row.id, partial(self.outbox.mark_failed, row.id, now, result.status, error))
            log.error("delivery of %s failed: %s", what, error)
            return Delivered(row.id, channel.name, event, "failed", error)
        self._record(row.id, partial(self.outbox.mark_retry, row.id, next_at, result.status, result.detail))
        log.warning("delivery of %s will be retried at %s: %s", what, next_at, result.detail)
        return Delivered(row.id, channel.name, event, "retry", result.detail)

    async def send_test(self, event: Event, names: list[str]) -> list[Delivered]:
        """Send `event` at once to each named channel, in that order, outside the outbox: the
        same send, error handling and report as a delivery, with a one-off delivery id and
        nothing stored (`test-alert`)."""
        out = []
        for name in names:
            delivery = "test-" + uuid.uuid4().hex[:16]
            result = await _send(self.channels[name], [Outgoing(delivery, event)])
            log.info("test alert to %s: %s: %s", name, "sent" if result.ok else "failed", result.detail)
            out.append(Delivered(delivery, name, event, "sent" if result.ok else "failed", result.detail))
        return out

    def release(self) -> None:
        """At a clean stop: write what is unsaved, and give back claims on what was not sent."""
        try:
            self._save_outcomes()
            if self._held:
                self.outbox.release_claims(sorted(self._held))
                self._held.clear()
        except StateError as exc:
            log.error("could not release delivery claims at stop (they lapse within %.0fs): %s", CLAIM, exc)

    async def aclose(self) -> None:
        self.release()
        for channel in self.channels.values():
            await channel.aclose()


async def _send(channel: Channel, batch: list[Outgoing]) -> SendResult:
    """One message through `channel`; a bug in a channel is a failed send that may pass, so it
    never stops the others."""
    try:
        return await channel.send(batch)
    except Exception as exc:
        log.debug("channel %s raised", channel.name, exc_info=True)
        return SendResult(False, f"unexpected {type(exc).__name__}: {exc}", retry=True)
