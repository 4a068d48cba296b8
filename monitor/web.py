"""The web side: /healthz, /metrics, /events.json, /events.atom and the dashboard, as one Starlette app."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import xml.etree.ElementTree as ET
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

from .clock import utcnow
from .dashboard import Dashboard
from .errors import BadRequest, MonitorError
from .events import Event
from .metrics import CONTENT_TYPE, Metrics
from .payload import payload
from .queries import find_events, parse_filters
from .related import with_related
from .render import brief, headline
from .state import State, open_state
from .stories import also_reported, more_reported
from .webanswer import Response
from .webguard import Access, Guard
from .webhosts import allowed_hosts
from .webserver import Limits, WebServer

if TYPE_CHECKING:
    from .settings import Config

log = logging.getLogger("monitor.web")
FEED_SIZE = 50
READERS = 4
"""Threads that read the database at once, each with its own read-only connection."""

Problems = Callable[[], list[str]]
"""What keeps the daemon from working (a stalled scheduler, a database that cannot commit)."""


def not_modified(request: Request, answer: Response) -> Response | None:
    """A 304 for a request whose If-None-Match names the answer's ETag."""
    etag = answer.headers.get("ETag")
    wanted = request.headers.get("if-none-match", "")
    if answer.status != 200 or not etag or not wanted:
        return None
    if wanted.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in wanted.split(",")):
        return Response(304, answer.content_type, b"", answer.headers)
    return None


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
                Mount("/static", StaticFiles(packages=[("monitor", "static")])),
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

    def _latest(self, query: str) -> list[Event]:
        """The newest events the query's filters allow (the dashboard's filters; default treaty
        actions; held and dropped events are not news)."""
        filters, before = parse_filters(query)
        state = self.state()
        return with_related(state, find_events(state.conn, filters, FEED_SIZE, before).events, listing=True)

    async def events_json(self, request: Request) -> StarletteResponse:
        query = request.scope["query_string"].decode("latin-1")
        return await self.read(request, lambda: Response(200, "application/json; charset=utf-8",
                                                events_json(self._latest(query))))

    async def events_atom(self, request: Request) -> StarletteResponse:
        query = request.scope["query_string"].decode("latin-1")
        return await self.read(request, lambda: Response(200, "application/atom+xml; charset=utf-8",
                                                atom_feed(self._latest(query))))

    async def dashboard(self, request: Request) -> StarletteResponse:
        path = request.scope["raw_path"].decode("latin-1").split("?", 1)[0]
        query = request.scope["query_string"].decode("latin-1")
        return await self.read(request, lambda: self.pages.handle(path, query))


def starlette_response(answer: Response) -> StarletteResponse:
    return StarletteResponse(answer.body, answer.status, {"content-type": answer.content_type, **answer.headers})


def events_json(events: list[Event]) -> bytes:
    """The JSON feed body: a list of event payloads, compact as the webhook sends them (the C
    encoder: with indent, json encodes in Python, 3× slower for a page of stories)."""
    return json.dumps([payload(e) for e in events], ensure_ascii=False, separators=(",", ":")).encode()


def atom_feed(events: list[Event]) -> bytes:
    """The Atom feed of `events`, newest first."""
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed")
    ET.SubElement(feed, f"{{{ns}}}title").text = "legal-monitor: treaty actions"
    ET.SubElement(feed, f"{{{ns}}}id").text = "urn:legal-monitor:events"
    ET.SubElement(feed, f"{{{ns}}}updated").text = events[0].detected_at if events else utcnow()
    ET.SubElement(ET.SubElement(feed, f"{{{ns}}}author"), f"{{{ns}}}name").text = "legal-monitor"
    for event in events:
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}id").text = f"urn:legal-monitor:event:{event.id}"
        ET.SubElement(entry, f"{{{ns}}}title").text = headline(event, limit=300)
        ET.SubElement(entry, f"{{{ns}}}updated").text = event.detected_at
        if event.url:
            ET.SubElement(entry, f"{{{ns}}}link", href=event.url)
        also = "".join(f"\nAlso reported: {text}" for text in
                       [*map(also_reported, event.related), more_reported(event)] if text)
        ET.SubElement(entry, f"{{{ns}}}summary").text = brief(event) + also
        ET.SubElement(entry, f"{{{ns}}}category", term=event.type)
        if event.story:
            ET.SubElement(entry, f"{{{ns}}}category", term=f"story:{event.story}", label="story")
        for other in event.related:
            if other.get("url"):
                ET.SubElement(entry, f"{{{ns}}}link", rel="related", href=other["url"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
