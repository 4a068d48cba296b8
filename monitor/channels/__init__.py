"""The registry of channel kinds: a config's `kind` names one of these classes."""

from __future__ import annotations

from .apprise import AppriseChannel
from .base import Channel, ChannelConfig, Outgoing, SendResult
from .email import EmailChannel
from .webhook import WebhookChannel

CHANNEL_KINDS: dict[str, type[Channel]] = {
    WebhookChannel.kind: WebhookChannel,
    EmailChannel.kind: EmailChannel,
    AppriseChannel.kind: AppriseChannel,
}



def create(config: ChannelConfig, user_agent: str) -> Channel:
    """The channel a validated `[[channels]]` entry describes (its kind was checked at load)."""
    return CHANNEL_KINDS[config.kind](config, user_agent)


__all__ = ["CHANNEL_KINDS", "create", "AppriseChannel", "Channel", "ChannelConfig", "EmailChannel", "Outgoing",
           "SendResult", "WebhookChannel"]
