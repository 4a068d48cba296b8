"""Hostile peers: decompression bombs, dripping servers, redirects that leak or downgrade."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import ssl
import sys
import time
import zlib
from email.message import EmailMessage

import httpx
import pytest
import respx

from helpers.cli import Daemon
from helpers.config import QUICK, config_text, hook, html_source, monitor_config, write_config
from helpers.hostile import DripServer, DripSmtp, EndlessSmtp, gzip_bomb, measured_run
from helpers.http import Reply, free_port
from helpers.paths import ROOT
from helpers.smtp import Inbox
from monitor.channels import ChannelConfig, Outgoing
from monitor.channels.bounded_smtp import MAX_REPLY
from monitor.channels.email import EmailChannel
from monitor.channels.webhook import WebhookChannel
from monitor.config import SourceConfig
from monitor.errors import FetchError, SourceError
from monitor.events import Event
from monitor.net import SourceContext
from monitor.net.fetch import MAX_REDIRECTS, Fetcher
from monitor.options import typed_options
from monitor.sources import DocumentSource

PEAK_MIB = 200
"""A check or test-alert process stays below this (about 50 MiB normally; over 1 GiB before the cap
counted decoded bytes)."""


def html_config(url: str, extra: str = "", defaults: str = "") -> str:
    """One html source at `url`; the `defaults` lines go into [defaults]."""
    return config_text(defaults, html_source(url, extra), state="s.db", defaults={**QUICK, "jitter": "0s"})


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", *args]


# --- 1. decompression bombs ---------------------------------------------------------------

def test_gzip_in_gzip_bomb_fails_the_check_with_bounded_memory(tmp_path, server):
    server.routes["/page"] = Reply(200, gzip_bomb(), {"Content-Encoding": "gzip, gzip",
                                                      "Content-Type": "text/html"})
    config = write_config(tmp_path, html_config(f"{server.base}/page", 'max_bytes = "1MB"'))
    run = measured_run(cli("--config", str(config), "check"), cwd=ROOT, timeout=120)
    assert run.returncode == 1, run.output
    assert "over the 1,048,576-byte cap (max_bytes) once decoded" in run.output
    assert run.peak_mib < PEAK_MIB, f"peak RSS {run.peak_mib:.0f} MiB"


def test_webhook_receiver_answering_with_a_bomb_cannot_blow_memory(tmp_path, server):
    server.routes["/hook"] = Reply(500, gzip_bomb(), {"Content-Encoding": "gzip, gzip"})
    config = monitor_config(tmp_path, hook(f"{server.base}/hook"), state="s.db")
    run = measured_run(cli("--config", str(config), "test-alert"), cwd=ROOT, timeout=120)
    assert run.returncode == 1 and "hook: FAILED: HTTP 500" in run.output, run.output
    assert run.peak_mib < PEAK_MIB, f"peak RSS {run.peak_mib:.0f} MiB"
    assert server.hits("/hook")


def fetch_once(config: SourceConfig, url: str):
    async def go():
        async with Fetcher([config], backoff_base=0.001) as fetcher:
            return await SourceContext(fetcher, config, {}, {}, lambda key: None).get(url)
    return asyncio.run(go())


def plain(**kw) -> SourceConfig:
    return SourceConfig(name="s", kind="html", host_delay=0, retries=0, options=typed_options(DocumentSource, url="https://portal.example/"),
                        **kw)


@respx.mock
@pytest.mark.parametrize("coding, body", ids=["gzip", "x-gzip", "deflate", "raw deflate", "gzip twice",
                                               "deflate then gzip", "identity"], argvalues=[
    ("gzip", gzip.compress(b"<li>one</li>")),
    ("x-gzip", gzip.compress(b"<li>one</li>")),
    ("deflate", zlib.compress(b"<li>one</li>")),
    ("deflate", zlib.compress(b"<li>one</li>")[2:-4]),  # raw deflate, as some servers send it
    ("gzip, gzip", gzip.compress(gzip.compress(b"<li>one</li>"))),
    ("deflate, gzip", gzip.compress(zlib.compress(b"<li>one</li>"))),
    ("identity", b"<li>one</li>"),
])
def test_every_accepted_content_coding_decodes(coding, body):
    respx.get("https://portal.example/a").mock(return_value=httpx.Response(
        200, content=body, headers={"Content-Encoding": coding}))
    assert fetch_once(plain(), "https://portal.example/a").text == "<li>one</li>"


@respx.mock
def test_many_gzip_members_and_a_large_body_decode_whole():
    page = os.urandom(300_000).hex().encode()  # 600 KB that does not compress: many zlib steps
    respx.get("https://portal.example/a").mock(return_value=httpx.Response(
        200, content=gzip.compress(page[:1000]) + gzip.compress(page[1000:]), headers={"Content-Encoding": "gzip"}))
    assert fetch_once(plain(), "https://portal.example/a").content == page


@respx.mock
@pytest.mark.parametrize("coding, body, message", ids=["three layers", "brotli"], argvalues=[
    ("gzip, gzip, gzip", gzip.compress(gzip.compress(gzip.compress(b"x"))),
     "3 content-coding layers (gzip, gzip, gzip); at most 2"),
    ("br", b"whatever", "content-coding 'br', which is not supported"),
])
def test_unbounded_codings_are_refused(coding, body, message):
    respx.get("https://portal.example/a").mock(return_value=httpx.Response(
        200, content=body, headers={"Content-Encoding": coding}))
    with pytest.raises(FetchError, match=re.escape(message)):
        fetch_once(plain(), "https://portal.example/a")


@respx.mock
def test_only_boundable_codings_are_asked_for():
    route = respx.get("https://portal.example/a").mock(return_value=httpx.Response(200, content=b"x"))
    fetch_once(plain(), "https://portal.example/a")
    assert route.calls.last.request.headers["Accept-Encoding"] == "gzip, deflate"


def test_an_smtp_reply_that_never_ends_is_cut_off():
    endless = EndlessSmtp()
    try:
        result = mail_channel(endless.port)._send(_message())
    finally:
        endless.stop()
    assert not result.ok and result.retry
    assert f"reply longer than {MAX_REPLY:,} bytes" in result.detail


def mail_channel(port: int, security: str = "none", ca_bundle: str | None = None,
                 timeout: float = 10.0) -> EmailChannel:
    return EmailChannel(ChannelConfig(name="mail", kind="email", options=typed_options(
        EmailChannel, smtp_host="127.0.0.1", smtp_port=port, security=security, from_="m@example.org",
        to=["d@example.org"], timeout=timeout, ca_bundle=ca_bundle)), "test")


def test_an_smtp_server_dripping_its_greeting_fails_at_the_exchange_deadline():
    drip = DripSmtp(gap=0.2)  # faster than the 1 s timeout: no single read times out
    started = time.monotonic()
    try:
        result = mail_channel(drip.port, timeout=1.0)._send(_message())
    finally:
        drip.stop()
    assert not result.ok and result.retry
    assert "no complete reply before the deadline (4 × timeout)" in result.detail
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_bounded_replies_still_speak_tls(certificate, security):
    """The reply reader is swapped for the TLS socket after STARTTLS, and works over implicit TLS."""
    from aiosmtpd.controller import Controller

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    tls = {"tls_context": context, "require_starttls": True} if security == "starttls" else {"ssl_context": context}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **tls)
    controller.start()
    try:
        result = mail_channel(port, security, str(cert))._send(_message())
    finally:
        controller.stop()
    assert result.ok, result.detail
    assert len(inbox.envelopes) == 1


def _message():
    message = EmailMessage()
    message["Subject"] = "test"
    message.set_content("body")
    return message


# --- 2. deadlines ---------------------------------------------------------------------------

def test_a_dripping_server_fails_the_check_at_the_request_deadline(tmp_path):
    # A byte every 0.2 s never lets one read time out: only the overall deadline ends the request.
    drip = DripServer(gap=0.2)
    try:
        config = write_config(tmp_path, html_config(f"{drip.base}/page", 'timeout = "2s"'))
        run = measured_run(cli("--config", str(config), "check"), cwd=ROOT, timeout=120)
    finally:
        drip.stop()
    assert run.returncode == 1
    assert f"no complete answer from {drip.base}/page within the 8s request deadline (request_deadline)" \
        in run.output  # 4 × timeout by default
    assert run.wall < 40, f"took {run.wall:.1f}s"  # 8 s deadline plus start-up; forever before


def test_the_check_deadline_bounds_a_check_however_its_requests_are_set(tmp_path):
    drip = DripServer(gap=0.2)
    try:
        config = write_config(tmp_path, html_config(f"{drip.base}/page", 'timeout = "5s"\n'
                                                    'request_deadline = "1h"\ncheck_deadline = "3s"'))
        run = measured_run(cli("--config", str(config), "check"), cwd=ROOT, timeout=120)
    finally:
        drip.stop()
    assert run.returncode == 1
    assert f"the check ran out of its 3s check_deadline while fetching {drip.base}/page" in run.output
    assert run.wall < 30, f"took {run.wall:.1f}s"


def test_the_check_deadline_bounds_the_waits_between_retries(tmp_path, server):
    # The server asks for a minute between attempts; the check may take three seconds in all.
    server.routes["/busy"] = Reply(503, "busy", {"Retry-After": "60"})
    config = write_config(tmp_path, html_config(f"{server.base}/busy", 'retries = 3\ncheck_deadline = "3s"'))
    run = measured_run(cli("--config", str(config), "check"), cwd=ROOT, timeout=120)
    assert run.returncode == 1
    assert f"the check ran out of its 3s check_deadline while fetching {server.base}/busy" in run.output
    assert len(server.hits("/busy")) == 1  # the second attempt would have come a minute later
    assert run.wall < 30, f"took {run.wall:.1f}s"


def _two_requests_for_one_slot(request_deadline: float, ends_in: float | None = None) -> tuple[list, float, int]:
    """Two requests to a dripping host with one slot: the first holds it, the second waits.
    Returns their outcomes, the seconds taken and the connections the server saw."""
    drip = DripServer(gap=0.2)
    config = SourceConfig(name="s", kind="html", host_delay=0, host_concurrency=1, retries=0, timeout=5.0,
                          request_deadline=request_deadline, options=typed_options(DocumentSource, url=drip.base))

    async def go():
        async with Fetcher([config]) as fetcher:
            ends_at = time.monotonic() + ends_in if ends_in is not None else None
            return await asyncio.gather(*(fetcher.request(config, "GET", f"{drip.base}/{n}", ends_at=ends_at)
                                          for n in range(2)), return_exceptions=True)

    started = time.monotonic()
    try:
        results = asyncio.run(go())
    finally:
        drip.stop()
    return results, time.monotonic() - started, drip.connections


def test_the_check_deadline_bounds_the_wait_for_a_host_slot():
    results, elapsed, connections = _two_requests_for_one_slot(request_deadline=60, ends_in=2)
    assert all(type(r) is TimeoutError for r in results), results  # the caller's deadline, for the caller to word
    assert connections == 1 and elapsed < 20


@pytest.mark.parametrize("status", [200, 503])
def test_a_dripping_webhook_receiver_is_bounded_by_the_channel_deadline(status):
    drip = DripServer(gap=0.2, status=status)
    channel = WebhookChannel(ChannelConfig(name="hook", kind="webhook", options=typed_options(
        WebhookChannel, url=f"{drip.base}/hook", timeout=1.0)), "test")
    event = Event(id="e1", type="ratification", source="s", key="k", title="t", detected_at="2026-01-01T00:00:00Z")

    async def send():
        try:
            return await channel.send([Outgoing("d1", event)])
        finally:
            await channel.aclose()

    started = time.monotonic()
    try:
        result = asyncio.run(send())
    finally:
        drip.stop()
    elapsed = time.monotonic() - started
    if status == 200:  # delivered on its status line; the body is not waited for
        assert result.ok and elapsed < 3, (result, elapsed)
    else:
        assert not result.ok and result.retry and result.detail == "no complete answer within 4s (4 × timeout)"
        assert elapsed < 20


def test_the_daemon_checks_a_dripping_source_again_and_its_host_stays_usable(tmp_path):
    drip = DripServer(gap=0.2)
    config = write_config(tmp_path, html_config(f"{drip.base}/page", 'interval = "1s"\ntimeout = "2s"\n'
                                                'request_deadline = "2s"',
                                                'host_concurrency = 1'))
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("check of portal failed (2 in a row)"), timeout=60,
                        what="a second failed check of the dripping source")
    finally:
        daemon.stop()
        drip.stop()
    assert drip.connections >= 2  # the one host slot was freed for the second check
    assert daemon.logged("request deadline")


def test_deadline_expiry_releases_the_host_slot():
    results, elapsed, connections = _two_requests_for_one_slot(request_deadline=1.5)
    assert all(isinstance(r, FetchError) and "1.5s request deadline" in str(r) for r in results)
    assert connections == 2 and elapsed < 20


# --- 3. redirects -----------------------------------------------------------------------------

def test_configured_headers_do_not_follow_a_redirect_to_another_origin(tmp_path, server):
    other = f"http://localhost:{server.port}"  # the same server under another name: another origin
    server.routes["/start"] = Reply(302, "", {"Location": "/same"})
    server.routes["/same"] = Reply(302, "", {"Location": f"{other}/landing"})
    server.routes["/landing"] = Reply(200, "<ul><li id='fr'>France</li></ul>", {"Content-Type": "text/html"})
    config = write_config(tmp_path, html_config(f"{server.base}/start", 'headers = { "X-Plain" = "p" }\n'
                                                'headers_env = { "X-Secret" = "PORTAL_SECRET" }'))
    run = measured_run(cli("--config", str(config), "check"), cwd=ROOT,
                       env={**os.environ, "PORTAL_SECRET": "s3cr3t-value"}, timeout=60)
    assert run.returncode == 0, run.output
    (start,), (same,), (landing,) = server.hits("/start"), server.hits("/same"), server.hits("/landing")
    assert start.headers["X-Secret"] == "s3cr3t-value" and start.headers["X-Plain"] == "p"
    assert same.headers["X-Secret"] == "s3cr3t-value"  # same origin: still sent
    assert "X-Secret" not in landing.headers and "X-Plain" not in landing.headers
    assert landing.headers["Host"] == f"localhost:{server.port}" and "legal-monitor" in landing.headers["User-Agent"]


@respx.mock
def test_an_https_source_is_not_redirected_to_plain_http():
    respx.get("https://portal.example/a").mock(return_value=httpx.Response(
        301, headers={"Location": "http://portal.example/a"}))
    with pytest.raises(FetchError, match=r"https://portal.example/a redirected to http://portal.example/a: "
                                         r"refusing to go from https to plain http"):
        fetch_once(plain(), "https://portal.example/a")


@respx.mock
def test_redirects_are_capped():
    route = respx.get(url__regex=r"https://portal.example/hop/\d+").mock(side_effect=lambda request: httpx.Response(
        302, headers={"Location": f"/hop/{int(request.url.path.rsplit('/', 1)[1]) + 1}"}))
    with pytest.raises(SourceError, match=f"redirected more than {MAX_REDIRECTS} times"):
        fetch_once(plain(), "https://portal.example/hop/0")
    assert route.call_count == MAX_REDIRECTS + 1


@respx.mock
def test_a_303_after_post_becomes_a_get_on_the_same_origin():
    respx.post("https://portal.example/search").mock(return_value=httpx.Response(
        303, headers={"Location": "/results"}))
    results = respx.get("https://portal.example/results").mock(return_value=httpx.Response(200, text="<li>x</li>"))

    async def go():
        config = plain(headers={"X-Key": "k"})
        async with Fetcher([config]) as fetcher:
            return await fetcher.request(config, "POST", "https://portal.example/search", json={"q": 1})

    answer = asyncio.run(go())
    assert answer.content == b"<li>x</li>" and answer.url == "https://portal.example/results"
    request = results.calls.last.request
    assert request.headers["X-Key"] == "k" and not request.content
