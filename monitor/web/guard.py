"""The web side's gates, as ASGI middleware: security headers, GET/HEAD only, access control."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Callable

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.web.auth import authorised, challenge

if TYPE_CHECKING:
    from monitor.settings import Config

log = logging.getLogger("monitor.web")  # the name JSON log lines carry: kept as it was

SECURITY_HEADERS = {
    # object-src and frame-src: a state's timeline is an <object> (so that its marks link to
    # their events), which Chromium loads as a frame.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; object-src 'self'; "
                               "frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
"""Sent with every answer: nothing from other sites, no framing, no referrer to official pages."""
_ENCODED = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
FAILED_LOGIN_DELAY = 1.0
"""Seconds a request with wrong credentials waits for its 401."""
OPEN_PATHS = ("/healthz",)
"""Answered without credentials (without details, then)."""


class Guard:
    """Adds the security headers to every answer (those it does not set itself) and refuses
    methods other than GET and HEAD."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":  # an answer's own header wins (a picture's CSP)
                headers = list(message.get("headers", []))
                own = {name.lower() for name, _ in headers}
                message = {**message, "headers": headers + [(k, v) for k, v in _ENCODED if k not in own]}
            await send(message)
        if scope["method"] not in ("GET", "HEAD"):
            await PlainTextResponse("only GET and HEAD\n", 405, {"Allow": "GET, HEAD"})(scope, receive, send_secured)
            return
        await self.app(scope, receive, send_secured)


class Access:
    """A 401 (with its challenge) when access control is configured and the request does not
    pass it; wrong credentials are logged, without them, and answered after a delay."""

    def __init__(self, app: ASGIApp, config: Callable[[], Config | None]):
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = [value for name, value in scope["headers"] if name == b"authorization"]
        if len(given) > 1:
            await PlainTextResponse("bad request: more than one Authorization header\n", 400)(scope, receive, send)
            return
        config = self.config()
        header = given[0].decode("latin-1") if given else None
        scope["authorised"] = config is None or authorised(header, config.http_token, config.http_username,
                                                           config.http_password)
        if scope["authorised"] or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        assert config is not None
        if header is not None:
            log.warning("refused %s credentials for %s from %s", header.split(" ", 1)[0][:20] or "empty",
                        scope["path"][:200], _client(scope))
            await asyncio.sleep(FAILED_LOGIN_DELAY)
        await PlainTextResponse("authorisation required\n", 401, {
            "WWW-Authenticate": challenge(config.http_token, config.http_password)})(scope, receive, send)


def _client(scope: Scope) -> Any:
    client = scope.get("client")
    return client[0] if client else "an unknown address"
