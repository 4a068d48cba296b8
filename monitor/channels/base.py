"""The Channel base class, channel config, routing of events, and what a send returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from monitor.events import Event
from monitor.options import Option
from monitor.settings import ChannelConfig


@dataclass
class SendResult:
    """The outcome of one send. `retry` says whether a failure may pass."""

    ok: bool
    detail: str
    retry: bool = False
    status: int | None = None
    retry_after: float | None = None


@dataclass
class Outgoing:
    """One pending delivery handed to a channel: its id and its event."""

    delivery_id: str
    event: Event


class Channel:
    """A channel kind. Subclasses set `kind` and `options`, and implement `send`.

    `options` is the kind's option table; a channel reads its values as typed attributes,
    `self.config.options.NAME` (a `*_env` key's value without the suffix: `options.secret`).

    `batch` is False for channels that send one message per event; a channel that sets it
    (email with a digest) receives every due delivery at once.
    """

    kind: ClassVar[str] = ""
    options: ClassVar[dict[str, Option]] = {}

    def __init__(self, config: ChannelConfig, user_agent: str):
        self.config = config
        self.name = config.name
        self.user_agent = user_agent

    @property
    def digest(self) -> float | None:
        """Seconds to hold events to send them together, or None to send each at once."""
        return None

    @classmethod
    def check_options(cls, config: ChannelConfig) -> list[str]:
        return []

    @classmethod
    def target(cls, config: ChannelConfig) -> str:
        """Where the channel sends, as `validate` shows it: no secret, no token in a path."""
        return ""

    async def send(self, batch: list[Outgoing]) -> SendResult:
        """Send the events in `batch` as one message (one event unless `digest` is set)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release connections."""
