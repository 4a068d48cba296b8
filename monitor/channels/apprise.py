"""The `apprise` channel: the many chat and push services of Apprise (optional extra)."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from monitor import options as o
from monitor.channels.base import Channel, ChannelConfig, Outgoing, SendResult
from monitor.options import Option
from monitor.render import headline, plain_text


def _urls(value: Any) -> list[str]:
    urls = o.text_list(value)
    if not urls:
        raise ValueError("needs at least one Apprise URL")
    return urls


class AppriseChannel(Channel):
    """Sends each event through Apprise (`pip install legal-monitor[apprise]`)."""

    kind: ClassVar[str] = "apprise"
    options: ClassVar[dict[str, Option]] = {
        "urls": Option(_urls, required=True, help="Apprise URLs, e.g. tgram://…, mailto://…"),
    }

    @classmethod
    def check_options(cls, config: ChannelConfig) -> list[str]:
        try:
            import apprise  # noqa: F401
        except ImportError:
            return ["kind: the apprise channel needs the apprise extra: pip install 'legal-monitor[apprise]'"]
        return []

    @classmethod
    def target(cls, config: ChannelConfig) -> str:
        """The services only (an Apprise URL carries its tokens): "tgram://…, mailto://…"."""
        return ", ".join(url.split("://", 1)[0] + "://…" for url in config.options.urls)

    async def send(self, batch: list[Outgoing]) -> SendResult:
        return await asyncio.to_thread(self._send, batch)

    def _send(self, batch: list[Outgoing]) -> SendResult:
        import apprise

        sender = apprise.Apprise()
        for url in self.config.options.urls:
            sender.add(url)
        events = [item.event for item in batch]
        ok = sender.notify(title=headline(events[0]), body=plain_text(events))
        if ok:
            return SendResult(True, f"sent to {len(self.config.options.urls)} Apprise URL(s)")
        return SendResult(False, "Apprise could not notify every URL (see its log)", retry=True)
