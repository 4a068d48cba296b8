"""The web side: /healthz, /metrics, /events.json, /events.atom, /feed.json and the dashboard, as one Starlette app."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response as StarletteResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from monitor.errors import BadRequest, MonitorError
from monitor.store import State, find_events, moment_ranks, open_state, parse_filters, with_related
from monitor.web.answer import Response
from monitor.web.conditional import modified_since, validators
from monitor.web.dashboard import Dashboard
from monitor.web.feeds import FeedPage, atom_feed, events_json, json_feed, last_modified, link_header, origin
from monitor.web.guard import Access, Guard
from monitor.web.metrics import CONTENT_TYPE, Metrics
from monitor.web.server import Limits, WebServer
from monitor.webhosts import allowed_hosts

if TYPE_CHECKING:
    from monitor.settings import Config

log = logging.getLogger("monitor.web")  # the name JSON log lines carry: kept as it was
FEED_SIZE = 50
READERS = 4
"""Threads that read the database at once, each with its own read-only connection."""

Problems = Callable[[], list[str]]
"""What keeps the daemon from working (a stalled scheduler, a database that cannot commit)."""


def not_modified(request: Request, answer: Response) -> Response | None:
    """A 304 for a request whose copy is current (RFC 9110): its If-None-Match names the answer's
    ETag or, when it sends none, its If-Modified-Since is no older than the Last-Modified."""
    if answer.status != 200:
        return None
    etag, wanted = answer.headers.get("ETag"), request.headers.get("if-none-match")
    if wanted:
        current = bool(etag) and (wanted.strip() == "*" or etag in (tag.strip().removeprefix("W/")
                                                                    for tag in wanted.split(",")))
    else:
        current = modified_since(request.headers.get("if-modified-since"), answer.headers.get("Last-Modified"))
    return Response(304, answer.content_type, b"", answer.headers) if current else None


class Endpoint:
    """The app and its server. Pages read the database in a pool of threads (never in the event
    loop that runs the checks), each keeping one read-only connection (migrations ran once, at
    start). `serve()` runs in the caller's event loop; `start()`/`stop()` in a thread of its own."""

    def __init__(self, listen: str, state_path: Path, metrics: Metrics, problems: Problems,
                 config: Callable[[], Config | None] = lambda: None, limits: Limits | None = None):
        current = config()
        try:
            hosts = allowed_hosts(listen, current.http_allowed_hosts if current else [])
        except ValueError as exc:
            raise MonitorError(f"http.allowed_hosts: {exc}") from None
        self.state_path = state_path
        self.metrics = metrics
        self.problems = problems
        self.config = config
        self.pages = Dashboard(lambda work: work(self.state().conn), config)
        self._local = threading.local()
        self._limiter: anyio.CapacityLimiter | None = None
        self.app = Starlette(routes=self.routes(), middleware=[
            Middleware(Guard), Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
            Middleware(Access, config=config)])
        self.server = WebServer(self.app, listen, limits)
        self.address = self.server.address
        self._thread: threading.Thread | None = None

    def routes(self) -> list[Any]:
        return [Route("/healthz", self.healthz), Route("/metrics", self.render_metrics),
                Route("/events.json", self.events_json), Route("/events.atom", self.events_atom),
                Route("/feed.json", self.feed_json),
                Mount("/static", StaticFiles(packages=[("monitor.web", "static")])),
                Route("/{path:path}", self.dashboard)]

    # --- running -------------------------------------------------------------------------

    async def serve(self) -> None:
        """Serve in the running event loop until `stop()`."""
        log.info("HTTP endpoint on http://%s/", self.address)
        await self.server.serve()

    def start(self) -> None:
        """Serve in a thread of its own (tests and tools)."""
        self._thread = threading.Thread(target=asyncio.run, args=(self.serve(),), name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.stop()
        if self._thread:
            self._thread.join(self.server.limits.shutdown + 2)

    # --- reading the database -------------------------------------------------------------

    def state(self) -> State:
        """This reading thread's connection to the database, opened on first use."""
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = open_state(self.state_path, readonly=True, migrate=False)
        return state

    def _forget_state(self) -> None:
        state = getattr(self._local, "state", None)
        self._local.state = None
        if state is not None:
            state.close()

    def _work(self, work: Callable[[], Response]) -> Response:
        try:
            return work()
        except BadRequest as exc:
            return Response(400, "text/plain; charset=utf-8", f"bad request: {exc}\n".encode())
        except (MonitorError, sqlite3.Error) as exc:  # a broken database: a 503, a fresh connection next time
            log.warning("endpoint failed to read the database: %s", exc)
            self._forget_state()
            return Response(503, "text/plain; charset=utf-8", b"unavailable: the database cannot be read\n")

    async def read(self, request: Request, work: Callable[[], Response]) -> StarletteResponse:
        """`work` run in a reading thread, its answer (400 for bad parameters, 503 for a broken
        database, 304 when the request already has it)."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(READERS)
        # A request cancelled at shutdown does not wait for its read, which ends on its own.
        answer = await anyio.to_thread.run_sync(self._work, work, limiter=self._limiter, abandon_on_cancel=True)
        return starlette_response(not_modified(request, answer) or answer)

    # --- routes ---------------------------------------------------------------------------

    async def healthz(self, request: Request) -> StarletteResponse:
        problems = self.problems()

        def database() -> Response:
            try:
                self.state().conn.execute("select count(*) from meta").fetchone()
            except (MonitorError, sqlite3.Error) as exc:
                self._forget_state()
                problems.append(f"database unreadable: {exc}")
            if not problems:
                return Response(200, "text/plain", b"ok\n")
            detail = "".join(f"{p}\n" for p in problems) if request.scope.get("authorised") else ""
            return Response(503, "text/plain; charset=utf-8", f"failing\n{detail}".encode())
        return await self.read(request, database)

    async def render_metrics(self, request: Request) -> StarletteResponse:
        config = self.config()
        sources = [s.name for s in config.sources] if config else []
        channels = [c.name for c in config.channels if c.enabled] if config else []
        return await self.read(request, lambda: Response(200, CONTENT_TYPE, self.metrics.render(self.state().conn, sources,
                                                                                        channels)))

    def _page(self, request: Request) -> FeedPage:
        """The newest events the query's filters allow (the dashboard's filters; default treaty
        actions; held and dropped events are not news), from the query's `before` cursor on."""
        query = request.scope["query_string"].decode("latin-1")
        filters, before = parse_filters(query)
        state = self.state()
        found = find_events(state.conn, filters, FEED_SIZE, before)
        page = FeedPage(with_related(state, found.events, listing=True), filters,
                        origin(request.headers.get("host"), self.address), before, found.older, query,
                        ranks=moment_ranks(state.conn, [e.detected_at for e in found.events if e.detected_at]))
        if not page.events:
            page.newest = state.conn.execute("select max(detected_at) from events").fetchone()[0]
        return page

    async def _feed(self, request: Request, content_type: str, render: Callable[[FeedPage], bytes],
                    links: Callable[[FeedPage], dict[str, str]] = lambda page: {}) -> StarletteResponse:
        """A feed of the request's page, with its validators (ETag, Last-Modified) for a 304."""
        def work() -> Response:
            page = self._page(request)
            body = render(page)
            return Response(200, content_type, body, {**validators(body, last_modified(page)), **links(page)})
        return await self.read(request, work)

    async def events_json(self, request: Request) -> StarletteResponse:
        return await self._feed(request, "application/json; charset=utf-8", events_json,
                                lambda page: link_header(page, "/events.json"))

    async def events_atom(self, request: Request) -> StarletteResponse:
        return await self._feed(request, "application/atom+xml; charset=utf-8", atom_feed)

    async def feed_json(self, request: Request) -> StarletteResponse:
        return await self._feed(request, "application/feed+json; charset=utf-8", json_feed)

    async def dashboard(self, request: Request) -> StarletteResponse:
        path = request.scope["raw_path"].decode("latin-1").split("?", 1)[0]
        query = request.scope["query_string"].decode("latin-1")
        return await self.read(request, lambda: self.pages.handle(path, query))


def starlette_response(answer: Response) -> StarletteResponse:
    return StarletteResponse(answer.body, answer.status, {"content-type": answer.content_type, **answer.headers})

