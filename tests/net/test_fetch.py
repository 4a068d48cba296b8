"""The fetch layer with respx: retries, Retry-After, 304, the size cap, decoding."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from monitor.config import SourceConfig
from monitor.errors import FetchError, SourceError, TooLarge
from monitor.net import Fetcher
from monitor.net.context import DocState, SourceContext, document_key
from monitor.net.decoding import decode_body
from monitor.options import typed_options
from monitor.sources import DocumentSource

URL = "https://portal.example/page"


def source(**kw) -> SourceConfig:
    return SourceConfig(name="s", kind="html", host_delay=0, options=typed_options(DocumentSource, url=URL), **kw)


def run(coro):
    return asyncio.run(coro)


async def get(config: SourceConfig, documents=None, **kw):
    async with Fetcher([config], backoff_base=0.001) as fetcher:
        ctx = SourceContext(fetcher, config, documents or {}, {}, lambda key: b"<p>old</p>")
        document = await ctx.get(URL, **kw)
        return ctx, document


@respx.mock
def test_retries_transient_errors_then_succeeds():
    route = respx.get(URL).mock(side_effect=[httpx.Response(503), httpx.ConnectError("refused"),
                                             httpx.Response(200, text="<p>ok</p>")])
    ctx, document = run(get(source(retries=2)))
    assert document.text == "<p>ok</p>" and document.changed
    assert route.call_count == 3


@respx.mock
def test_gives_up_after_retries_with_clear_message():
    respx.get(URL).mock(return_value=httpx.Response(500))
    with pytest.raises(FetchError, match=r"HTTP 500 from https://portal.example/page"):
        run(get(source(retries=1)))
    assert respx.calls.call_count == 2


@respx.mock
def test_every_5xx_is_retried():
    route = respx.get(URL).mock(side_effect=[httpx.Response(507), httpx.Response(501),
                                             httpx.Response(200, text="<p>ok</p>")])
    _, document = run(get(source(retries=2)))
    assert document.text == "<p>ok</p>" and route.call_count == 3


@respx.mock
def test_client_errors_are_not_retried():
    respx.get(URL).mock(return_value=httpx.Response(404))
    with pytest.raises(FetchError, match="HTTP 404"):
        run(get(source(retries=3)))
    assert respx.calls.call_count == 1


@respx.mock
def test_retry_after_is_honoured(monkeypatch):
    waits = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay, *a, **k):
        waits.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    respx.get(URL).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "7"}),
                                     httpx.Response(200, text="fine")])
    _, document = run(get(source(retries=1)))
    assert document.text == "fine"
    assert 7 in waits


@respx.mock
def test_overlong_retry_after_fails_at_once():
    respx.get(URL).mock(return_value=httpx.Response(503, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="retry after 3600s"):
        run(get(source(retries=3)))
    assert respx.calls.call_count == 1


@respx.mock
def test_conditional_get_and_304_is_unchanged_without_body():
    route = respx.get(URL).mock(return_value=httpx.Response(304))
    known = {document_key("GET", URL): DocState(etag='"v1"', last_modified="Mon, 01 Jan 2026 00:00:00 GMT",
                                                hash="abc")}
    ctx, document = run(get(source(), known))
    sent = route.calls.last.request.headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 01 Jan 2026 00:00:00 GMT"
    assert not document.changed and document.text is None
    assert ctx.not_modified == 1 and ctx.updates == []


@respx.mock
def test_same_body_hash_is_unchanged_and_not_decoded():
    import hashlib
    body = b"<p>same</p>"
    respx.get(URL).mock(return_value=httpx.Response(200, content=body))
    known = {URL: DocState(hash=hashlib.sha256(body).hexdigest())}
    ctx, document = run(get(source(), known))
    assert not document.changed and document.text is None
    assert ctx.updates[0].body is None  # no new snapshot


@respx.mock
def test_size_cap():
    respx.get(URL).mock(return_value=httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(TooLarge, match="over the 1,000-byte cap"):
        run(get(source(max_bytes=1000)))


@respx.mock
def test_error_page_marker_is_a_failure():
    respx.get(URL).mock(return_value=httpx.Response(200, text="<h1>Site under maintenance</h1>"))
    with pytest.raises(SourceError, match="maintenance page"):
        run(get(source(error_if_contains=["under maintenance"])))


@respx.mock
def test_user_agent_and_headers_are_sent():
    route = respx.get(URL).mock(return_value=httpx.Response(200, text="x"))
    run(get(source(headers={"X-Key": "k"})))
    request = route.calls.last.request
    assert "legal-monitor" in request.headers["User-Agent"] and request.headers["X-Key"] == "k"


def test_windows_1251_page_decodes_to_cyrillic():
    text = "<html><head><meta charset=\"windows-1251\"></head><body>О денонсации Конвенции</body></html>"
    assert "О денонсации Конвенции" in decode_body(text.encode("cp1251"), "text/html")
    # No declaration anywhere: detection still gets Cyrillic right.
    bare = ("Федеральный закон о денонсации Российской Федерацией Европейской конвенции "
            "по предупреждению пыток и бесчеловечного обращения").encode("cp1251")
    assert decode_body(bare, "text/html").startswith("Федеральный закон")
    # The header's charset wins over detection.
    assert decode_body("Ратификация".encode("koi8-r"), "text/plain; charset=koi8-r") == "Ратификация"


def test_host_limit_serialises_requests_to_one_host():
    active, peak = 0, 0

    async def handler(request):
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1
        return httpx.Response(200, text="x")

    async def main():
        config = source(host_concurrency=1)
        async with Fetcher([config]) as fetcher:
            with respx.mock:
                respx.get(URL).mock(side_effect=handler)
                await asyncio.gather(*(fetcher.request(config, "GET", URL) for _ in range(4)))

    run(main())
    assert peak == 1


@respx.mock
def test_without_retries_a_passing_error_is_one_request_and_a_clear_failure():
    respx.get(URL).mock(return_value=httpx.Response(503))
    with pytest.raises(FetchError, match=r"HTTP 503 from https://portal.example/page") as caught:
        run(get(source(retries=0)))
    assert respx.calls.call_count == 1 and caught.value.status == 503


def test_host_delay_spaces_the_starts_and_a_failed_request_frees_its_slot():
    starts = []

    async def handler(request):
        starts.append(asyncio.get_running_loop().time())
        return httpx.Response(404 if len(starts) == 1 else 200, text="x")

    async def main():
        config = SourceConfig(name="s", kind="html", host_concurrency=1, host_delay=0.05, retries=0,
                              options=typed_options(DocumentSource, url=URL))
        async with Fetcher([config]) as fetcher:
            with respx.mock:
                respx.get(URL).mock(side_effect=handler)
                return await asyncio.gather(*(fetcher.request(config, "GET", URL) for _ in range(3)),
                                            return_exceptions=True)

    results = run(main())
    assert isinstance(results[0], FetchError) and "HTTP 404" in str(results[0])
    assert [r.status for r in results[1:]] == [200, 200]
    # 0.05 s apart, less the event loop's clock resolution (without the delay they start at once)
    assert all(later - earlier >= 0.04 for earlier, later in zip(starts, starts[1:], strict=False))
