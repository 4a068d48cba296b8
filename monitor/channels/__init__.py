"""The registry of channel kinds: a config's `kind` names one of these classes."""

from __future__ import annotations

from monitor.channels.base import Channel, ChannelConfig, Outgoing, SendResult
from monitor.registry import Kinds

CHANNEL_KINDS: Kinds[type[Channel]] = Kinds(__name__, {
    "webhook": ".webhook:WebhookChannel",
    "email": ".email:EmailChannel",
    "apprise": ".apprise:AppriseChannel",
})
"""Each kind's class, by the name a config gives it; its module is imported when a config
first names the kind (a webhook-only config never loads the SMTP code)."""


def create(config: ChannelConfig, user_agent: str) -> Channel:
    """The channel a validated `[[channels]]` entry describes (its kind was checked at load)."""
    return CHANNEL_KINDS[config.kind](config, user_agent)


__all__ = ["CHANNEL_KINDS", "create", "Channel", "ChannelConfig", "Outgoing", "SendResult"]
