"""The `webhook` channel: JSON or CloudEvents (Standard Webhooks signatures), Slack or Discord over HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, ClassVar, Literal

import httpx

from monitor import options as o
from monitor.channels.base import Channel, Outgoing, SendResult
from monitor.channels.envelope import CONTENT_TYPE as CLOUDEVENTS_TYPE
from monitor.channels.envelope import cloudevent
from monitor.channels.signature import secret_key, sf_string, signed_headers
from monitor.errors import plain_error
from monitor.events import Event
from monitor.net import ACCEPT_ENCODING, DEADLINE_FACTOR, is_transient, parse_retry_after, read_head
from monitor.options import Option
from monitor.payload import payload
from monitor.render import brief, detail_facts, event_headers, facts, headline
from monitor.text import mask_url, web_link

ANSWER_BYTES = 4096
"""How much of a receiver's answer is read (decoded): enough for the error snippet."""


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str) -> str:
    """Slack's <url> syntax: & as &amp;, and <, > and | (which would end or split it) percent-encoded."""
    return "<" + url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C") + ">"


def slack_message(event: Event) -> dict[str, Any]:
    lines = [f"*{_slack_escape(headline(event))}*"]
    for name, value in facts(event):
        shown = _slack_link(value) if web_link(value) else _slack_escape(value)
        lines.append(f"*{_slack_escape(name)}:* {shown}")
    text = "\n".join(lines)
    return {"text": _slack_escape(headline(event)),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}]}


def discord_message(event: Event) -> dict[str, Any]:
    embed: dict[str, Any] = {
        "title": headline(event, limit=256),
        "description": brief(event)[:4000],
        "fields": [{"name": name, "value": value[:1000], "inline": False} for name, value in detail_facts(event)][:25],
    }
    if web_link(event.url):
        embed["url"] = event.url
    if event.detected_at:
        embed["timestamp"] = event.detected_at
    return {"content": headline(event, limit=2000), "embeds": [embed], "allowed_mentions": {"parse": []}}


Format = Literal["json", "cloudevents", "slack", "discord"]
FORMATS: dict[Format, Callable[[Event], dict[str, Any]]] = {
    "json": payload, "cloudevents": cloudevent, "slack": slack_message, "discord": discord_message}
CONTENT_TYPES: dict[Format, str] = {"cloudevents": CLOUDEVENTS_TYPE + "; charset=utf-8"}
"""The Content-Type of a format's body, when it is not application/json."""


class WebhookChannel(Channel):
    """POSTs one message per event. 2xx delivered; 408/425/429/5xx and network errors retry."""

    kind: ClassVar[str] = "webhook"
    options: ClassVar[dict[str, Option]] = {
        "url": Option(o.url, required=True, help="where to POST"),
        "secret_env": Option(o.env_name, None,
                             help="environment variable holding the signing secret (whsec_<base64> or any text)"),
        "headers": Option(o.text_map, {}, help="extra request headers"),
        "timeout": Option(o.positive_duration, 10.0, help="request timeout"),
        "format": Option(o.one_of(Format), "json", help="message format"),
    }

    @classmethod
    def check_options(cls, config) -> list[str]:
        secret = config.options.secret
        try:
            secret_key(secret) if secret else None
        except ValueError as exc:
            return [f"secret_env: the secret {exc} (see docs/webhooks.md: making a secret)"]
        return []

    def __init__(self, config, user_agent: str):
        super().__init__(config, user_agent)
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def target(cls, config) -> str:
        """The URL with user info and key-like query values masked; a Slack or Discord hook's
        path is its token, so only its origin is shown."""
        options = config.options
        if options.format != "json":
            url = httpx.URL(options.url)
            return f"{url.scheme}://{url.netloc.decode()}/… ({options.format})"
        return mask_url(options.url) + (" (signed)" if options.secret else " (unsigned)")

    async def send(self, batch: list[Outgoing]) -> SendResult:
        (item,) = batch
        options = self.config.options
        body = json.dumps(FORMATS[options.format](item.event), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {
            **options.headers,
            "Content-Type": CONTENT_TYPES.get(options.format, "application/json"),
            "User-Agent": self.user_agent,
            "webhook-id": item.delivery_id, "webhook-timestamp": timestamp,
            "Idempotency-Key": sf_string(item.event.id), "X-Legal-Monitor-Delivery": item.delivery_id,
            **event_headers(item.event),
        }
        if options.secret:
            headers.update(signed_headers(options.secret, item.delivery_id, timestamp, body))
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=options.timeout, follow_redirects=False,
                                             headers={"Accept-Encoding": ACCEPT_ENCODING})
        deadline = DEADLINE_FACTOR * options.timeout
        try:
            async with asyncio.timeout(deadline):
                request = self._client.build_request("POST", options.url, content=body, headers=headers)
                response = await self._client.send(request, stream=True)
                try:  # a 2xx is delivered whatever its body; an error's first bytes explain it
                    answer = b"" if 200 <= response.status_code < 300 else await read_head(response, ANSWER_BYTES)
                finally:
                    await response.aclose()
        except TimeoutError:
            return SendResult(False, f"no complete answer within {deadline:g}s (4 × timeout)", retry=True)
        except httpx.TimeoutException:
            return SendResult(False, f"timed out after {options.timeout:g}s", retry=True)
        except httpx.HTTPError as exc:
            reason = plain_error(str(exc) or type(exc).__name__).splitlines()[0][:200]
            return SendResult(False, f"cannot reach {httpx.URL(options.url).netloc.decode()}: {reason}", retry=True)
        status = response.status_code
        text = answer[:400].decode("utf-8", "replace")[:200]
        snippet = " ".join("".join(c if c.isprintable() else " " for c in text).split())
        if 200 <= status < 300:
            return SendResult(True, f"HTTP {status}", status=status)
        return SendResult(False, f"HTTP {status}: {snippet}" if snippet else f"HTTP {status}",
                          retry=is_transient(status), status=status,
                          retry_after=parse_retry_after(response.headers.get("Retry-After")))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
