"""Cookies a portal sets are kept and sent back to it, whether or not later answers set any."""

from __future__ import annotations

import asyncio

from helpers.http import Reply
from monitor.net import Fetcher
from monitor.options import typed_options
from monitor.settings import SourceConfig
from monitor.sources import DocumentSource


def _source(url: str) -> SourceConfig:
    return SourceConfig(name="s", kind="html", host_delay=0, retries=0, options=typed_options(DocumentSource, url=url))


def test_a_cookie_a_portal_sets_is_sent_back_on_its_later_requests(server):
    server.routes["/login"] = Reply(200, "ok", {"Set-Cookie": "session=abc123; Path=/"})
    server.routes["/plain"] = Reply(200, "no cookie set here")
    server.routes["/list"] = Reply(200, "the list")
    server.routes["/other"] = Reply(200, "other", {"Set-Cookie": "lang=fr; Path=/"})
    config = _source(f"{server.base}/login")

    async def go() -> None:
        async with Fetcher([config]) as fetcher:
            for path in ("/login", "/plain", "/list", "/other", "/list"):
                await fetcher.request(config, "GET", f"{server.base}{path}")

    asyncio.run(go())
    (login,) = server.hits("/login")
    assert "Cookie" not in login.headers
    assert server.hits("/plain")[0].headers["Cookie"] == "session=abc123"
    first, second = server.hits("/list")
    assert first.headers["Cookie"] == "session=abc123"  # an answer with no Set-Cookie kept the jar as it was
    assert sorted(second.headers["Cookie"].split("; ")) == ["lang=fr", "session=abc123"]


def test_an_expiring_cookie_is_dropped_as_the_jar_drops_it(server):
    server.routes["/in"] = Reply(200, "in", {"Set-Cookie": "session=abc; Path=/"})
    server.routes["/out"] = Reply(200, "out", {"Set-Cookie": "session=; Path=/; Max-Age=0"})
    server.routes["/after"] = Reply(200, "after")
    config = _source(f"{server.base}/in")

    async def go() -> None:
        async with Fetcher([config]) as fetcher:
            for path in ("/in", "/out", "/after"):
                await fetcher.request(config, "GET", f"{server.base}{path}")

    asyncio.run(go())
    assert server.hits("/out")[0].headers["Cookie"] == "session=abc"
    assert "Cookie" not in server.hits("/after")[0].headers
