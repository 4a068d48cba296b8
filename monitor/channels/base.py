"""The Channel base class, channel config, routing of events, and what a send returns."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..events import OPS_TYPES, Event
from ..options import Option


@dataclass
class ChannelConfig:
    """One `[[channels]]` entry, validated."""

    name: str
    kind: str
    enabled: bool = True
    events: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    ops: bool = False
    retry_base: float = 10.0
    retry_max: float = 3600.0
    max_age: float = 3 * 86400.0
    max_attempts: int | None = None
    stories: str = "each"
    """"first": send only the first event of a story (see `stories`)."""
    options: dict[str, Any] = field(default_factory=dict)

    def wants(self, event: Event) -> bool:
        """Whether this channel should receive `event` (its routing filters)."""
        if not self.enabled:
            return False
        if event.type in OPS_TYPES:
            return self.ops
        if event.type not in self.events:
            return False
        if self.sources and not any(fnmatch.fnmatchcase(event.source, pattern) for pattern in self.sources):
            return False
        if self.subjects:
            subject = (event.subject or "").casefold()
            return any(subject == wanted.casefold() for wanted in self.subjects)
        return True


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

    async def send(self, batch: list[Outgoing]) -> SendResult:
        """Send the events in `batch` as one message (one event unless `digest` is set)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release connections."""
