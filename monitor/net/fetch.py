"""HTTP fetching: shared async clients, per-host limits, retries, deadlines, guarded redirects, size cap."""

from __future__ import annotations

import asyncio
import email.utils
import random
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any, Iterable

import certifi
import httpx

from monitor.errors import FetchError, Unresolvable, plain_error
from monitor.net.inflate import ACCEPT_ENCODING, read_capped
from monitor.options import url_host
from monitor.settings import SourceConfig
from monitor.text import drop_params, mask_text, mask_url


def is_transient(status: int) -> bool:
    """408, 425, 429 and every 5xx may pass: retry. Other errors will not."""
    return status in (408, 425, 429) or 500 <= status < 600
MAX_RETRY_AFTER = 120.0
"""A Retry-After longer than this fails the check instead of holding it open."""
MAX_IN_FLIGHT = 8
"""Requests in flight per connection pool (one pool per host and transport setting).
httpcore scans every connection for every queued request, so a wider pool costs more
CPU than it saves in waiting; many hosts still run in parallel, each in its own pool."""
MAX_REDIRECTS = 5
"""Redirects followed for one request; more fail it."""
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class RawResponse:
    """A complete HTTP answer, body included (within the size cap)."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes


class _Transient(FetchError):
    """An error worth retrying; `retry_after` is the server's wish in seconds, if it said."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message, status)
        self.retry_after = retry_after


class HostLimiter:
    """At most `concurrency` requests at once to one host, starting at least `delay` apart."""

    def __init__(self, concurrency: int, delay: float):
        self.concurrency = concurrency
        self.delay = delay
        self._semaphore = asyncio.Semaphore(concurrency)
        self._lock = asyncio.Lock()
        self._next_start = 0.0

    async def __aenter__(self) -> None:
        """Take a slot (``async with limiter:``), waiting for `delay` after the last start."""
        await self._semaphore.acquire()
        try:
            if self.delay > 0:
                async with self._lock:
                    now = time.monotonic()
                    wait = self._next_start - now
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._next_start = max(now, self._next_start) + self.delay
        except BaseException:
            self._semaphore.release()
            raise

    async def __aexit__(self, *exc: Any) -> None:
        self._semaphore.release()

    def ready(self) -> bool:
        """Whether a slot can be taken now, without waiting for one or for the delay."""
        return not self._semaphore.locked() and (
            self.delay <= 0 or not self._lock.locked() and self._next_start <= time.monotonic())


class Fetcher:
    """Shared HTTP machinery for a cycle or a daemon: pools, host limits and retries.

    Use as ``async with Fetcher(sources) as fetcher``. Host limits take the most
    conservative setting among the sources that use a host.
    """

    def __init__(self, sources: Iterable[SourceConfig] = (), backoff_base: float = 1.0,
                 backoff_max: float = 30.0):
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._clients: dict[tuple, tuple[httpx.AsyncClient, asyncio.Semaphore]] = {}
        self._tls: dict[tuple, ssl.SSLContext] = {}
        self._limiters: dict[str, HostLimiter] = {}
        self._host_settings: dict[str, tuple[int, float]] = {}
        for source in sources:
            self.plan_host(source)

    def plan_host(self, source: SourceConfig, url: str | None = None) -> None:
        """Register a source's politeness settings for the host of `url` (or its own URL)."""
        target = url or source_url(source)
        if not target:
            return
        host = url_host(target)
        known = self._host_settings.get(host)
        wanted = (source.host_concurrency, source.host_delay)
        if known:
            wanted = (min(known[0], wanted[0]), max(known[1], wanted[1]))
        self._host_settings[host] = wanted
        self._limiters.pop(host, None)

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client, _ in clients:
            await client.aclose()

    def _client(self, source: SourceConfig, host: str) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        """The pool for this host and the source's transport settings, with its in-flight cap."""
        key = (host, *source.transport_key())
        pool = self._clients.get(key)
        if pool is None:
            tls_key = (source.ca_bundle, source.tls_seclevel, source.tls_legacy_connect)
            if tls_key not in self._tls:  # loading the CA file is slow: one context per setting
                self._tls[tls_key] = tls_context(source)
            client = httpx.AsyncClient(
                verify=self._tls[tls_key],
                proxy=source.proxy,
                timeout=httpx.Timeout(source.timeout),
                limits=httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT),
                headers={"Accept-Encoding": ACCEPT_ENCODING},
                follow_redirects=False,  # followed by `_follow`, which keeps configured headers home
            )
            pool = self._clients[key] = (client, asyncio.Semaphore(MAX_IN_FLIGHT))
        return pool

    def _limiter(self, host: str, source: SourceConfig) -> HostLimiter:
        limiter = self._limiters.get(host)
        if limiter is None:
            concurrency, delay = self._host_settings.get(host, (source.host_concurrency, source.host_delay))
            limiter = self._limiters[host] = HostLimiter(concurrency, delay)
        return limiter

    async def request(self, source: SourceConfig, method: str, url: str, *,
                      params: Any = None, headers: dict[str, str] | None = None,
                      json: Any = None, accept: Iterable[int] = (), ends_at: float | None = None) -> RawResponse:
        """Send one request with retries; return the answer or raise FetchError.

        2xx, 304 and the statuses in `accept` are answers; other statuses are errors,
        retried when they may pass (408, 425, 429, 5xx). `ends_at` (on `time.monotonic`'s
        clock) is the caller's own deadline: it bounds everything, waits for a host slot and
        between retries included, and past it the request ends with TimeoutError, which the
        caller reports (each attempt's `request_deadline` is a FetchError, as any failure).
        """
        accepted = set(accept)
        try:
            try:  # most requests succeed at once: the retry controller is built only after a failure
                return await self._once(source, method, url, params, headers, json, accepted, ends_at)
            except _Transient as first:
                if source.retries < 1:
                    raise
                async with asyncio.timeout_at(ends_at):
                    return await self._retry(first, source, method, url, params, headers, json, accepted, ends_at)
        except _Transient as exc:
            raise FetchError(str(exc), exc.status) from None

    async def _retry(self, first: _Transient, source: SourceConfig, method: str, url: str, params: Any,
                     headers: dict[str, str] | None, json: Any, accepted: set[int],
                     ends_at: float | None) -> RawResponse:
        """The attempts after a first one that failed with `first`: tenacity counts that one as
        its attempt 1 (so waits, Retry-After and the attempt limit are as if it had made it)."""
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt  # slow to import; rarely needed

        retrying = AsyncRetrying(
            stop=stop_after_attempt(source.retries + 1),
            wait=self._wait,
            retry=retry_if_exception(lambda exc: isinstance(exc, _Transient)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number == 1:
                    raise first
                return await self._once(source, method, url, params, headers, json, accepted, ends_at)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        backoff = min(self.backoff_max, self.backoff_base * 2 ** (state.attempt_number - 1))
        return backoff * (0.5 + random.random() / 2)

    async def _once(self, source: SourceConfig, method: str, url: str, params: Any,
                    headers: dict[str, str] | None, json: Any, accepted: set[int],
                    ends_at: float | None = None) -> RawResponse:
        host = url_host(url)
        client, in_flight = self._client(source, host)
        request = client.build_request(method, url, params=params, json=json,
                                       headers={"User-Agent": source.user_agent, **source.headers,
                                                **(headers or {})})
        _add_params(request, source)
        shown = mask_url(str(request.url), set(source.params))
        deadline = source.request_deadline or DEADLINE_FACTOR * source.timeout
        limiter = self._limiter(host, source)
        # One timer: the caller's deadline while the request waits for a slot, then the sooner
        # of that and the request deadline, which starts once the request may go (at once,
        # most often: then the timer is set to it from the start).
        ready = not in_flight.locked() and limiter.ready()
        request_ends = time.monotonic() + deadline
        own = ready and (ends_at is None or request_ends < ends_at)  # the timer runs to the request's deadline
        try:
            async with asyncio.timeout_at(request_ends if own else ends_at) as timer, limiter, in_flight:
                if not ready:
                    request_ends = time.monotonic() + deadline
                    if ends_at is None or request_ends < ends_at:
                        own = True
                        timer.reschedule(request_ends)
                return await self._exchange(client, source, request, shown, accepted)
        except TimeoutError:
            if not own:
                raise
            raise FetchError(f"no complete answer from {shown} within the {deadline:g}s request deadline "
                             "(request_deadline)") from None

    async def _exchange(self, client: httpx.AsyncClient, source: SourceConfig, request: httpx.Request,
                        shown: str, accepted: set[int]) -> RawResponse:
        """Send `request`, follow its redirects, and read the answer under the size cap."""
        response = await self._send(client, request, shown, source.timeout)
        try:
            hops = 0
            while response.status_code in REDIRECTS and "Location" in response.headers:
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise FetchError(f"{shown} redirected more than {MAX_REDIRECTS} times")
                request = _follow(client, request, response, source, shown)
                _add_params(request, source)
                await response.aclose()
                shown = mask_url(str(request.url), set(source.params))
                response = await self._send(client, request, shown, source.timeout)
            status = response.status_code
            if is_transient(status):
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    raise FetchError(f"HTTP {status} from {shown}; server asks to retry after "
                                     f"{retry_after:.0f}s", status)
                raise _Transient(f"HTTP {status} from {shown}", status, retry_after)
            if not (200 <= status < 300 or status == 304 or status in accepted):
                raise FetchError(f"HTTP {status} from {shown}", status)
            content = await read_capped(response, source.max_bytes, shown)
        except httpx.TimeoutException:
            raise _Transient(f"timed out reading {shown}") from None
        except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
            raise _Transient(f"connection broke reading {shown}: {_reason(exc)}") from None
        finally:
            await response.aclose()
        # The address without the source's params_env secrets: links in the page resolve against it.
        return RawResponse(drop_params(str(response.url), source.params), status, response.headers, content)

    async def _send(self, client: httpx.AsyncClient, request: httpx.Request, shown: str,
                    timeout: float) -> httpx.Response:
        try:
            return await client.send(request, stream=True)
        except httpx.TimeoutException:
            raise _Transient(f"timed out after {timeout:g}s: {shown}") from None
        except httpx.ProxyError as exc:
            raise _Transient(f"proxy error for {shown}: {_reason(exc)}") from None
        except httpx.ConnectError as exc:
            if cannot_resolve(exc):  # retrying within seconds will not help: fail the check now
                raise Unresolvable(f"cannot resolve {request.url.host}: {_reason(exc)}") from None
            raise _Transient(f"cannot connect to {_netloc(request.url)}: {_reason(exc)}") from None
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            raise _Transient(f"cannot connect to {_netloc(request.url)}: {_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"request to {shown} failed: {_reason(exc)}") from None


DEADLINE_FACTOR = 4
"""Without `request_deadline`, one request (redirects and body included) may take this many
times `timeout` in all: a server that drips its answer cannot hold a check open."""


def source_url(source: SourceConfig) -> str | None:
    """The address a source is configured with (`url`, else `base_url`)."""
    return getattr(source.options, "url", None) or getattr(source.options, "base_url", None)


def _add_params(request: httpx.Request, source: SourceConfig) -> None:
    """Add the source's `params_env` to a request bound for the origin of its own address."""
    home = source_url(source)
    if source.params and home and _origin(request.url) == _origin(httpx.URL(home)):
        request.url = request.url.copy_merge_params(source.params)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, port


SAFE_ACROSS_ORIGINS = frozenset({b"user-agent", b"accept", b"accept-encoding", b"accept-language"})
"""The only headers a redirect to another origin carries: configured headers (`headers`,
`headers_env`), a kind's own key headers and conditional headers stay with their origin."""


def _follow(client: httpx.AsyncClient, request: httpx.Request, response: httpx.Response,
            source: SourceConfig, shown: str) -> httpx.Request:
    """The request a redirect asks for; an https page may not send us to plain http."""
    try:
        target = request.url.join(response.headers["Location"])
    except httpx.InvalidURL as exc:
        raise FetchError(f"{shown} redirected to an invalid address: {_reason(exc)}") from None
    shown_target = mask_url(str(target), set(source.params))
    if target.scheme not in ("http", "https"):
        raise FetchError(f"{shown} redirected to {shown_target}, which is not an http(s) address")
    if request.url.scheme == "https" and target.scheme == "http":
        raise FetchError(f"{shown} redirected to {shown_target}: refusing to go from https to plain http")
    method, content = request.method, request.content
    if response.status_code == 303 and method != "HEAD" or response.status_code in (301, 302) and method == "POST":
        method, content = "GET", b""
    same_origin = _origin(target) == _origin(request.url)
    headers = [(name, value) for name, value in request.headers.raw
               if (same_origin or name.lower() in SAFE_ACROSS_ORIGINS)
               and name.lower() not in (b"host", b"content-length", b"transfer-encoding")
               and (content or name.lower() != b"content-type")]
    return client.build_request(method, target, headers=headers, content=content or None)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_DNS_FAILURES = ("name or service not known", "temporary failure in name resolution",
                 "nodename nor servname", "no address associated with hostname", "getaddrinfo failed")


def cannot_resolve(exc: BaseException) -> bool:
    """Whether a connection error is a failed DNS lookup (a socket.gaierror underneath)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror) or any(m in str(seen).lower() for m in _DNS_FAILURES):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(exc: Exception) -> str:
    text = plain_error(str(exc) or type(exc).__name__)
    return mask_text(text.splitlines()[0][:200])


def _netloc(url: httpx.URL) -> str:
    """The host and, when the URL gives one, the port ("127.0.0.1:8765"), never user info."""
    return url.netloc.decode("ascii", "replace")


LEGACY_SERVER_CONNECT = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
"""OpenSSL's SSL_OP_LEGACY_SERVER_CONNECT (the ssl module names it from Python 3.12)."""


def tls_context(source: SourceConfig) -> ssl.SSLContext:
    """Verification on always; the CA file, security level and legacy renegotiation per source."""
    context = ssl.create_default_context(cafile=source.ca_bundle or certifi.where())
    if source.tls_seclevel is not None:
        context.set_ciphers(f"DEFAULT@SECLEVEL={source.tls_seclevel}")
    if source.tls_legacy_connect:
        context.options |= LEGACY_SERVER_CONNECT
    return context
