"""The optional HTTP endpoint: /healthz, /metrics, /events.json, /events.atom, /feed.json and the dashboard."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .conditional import conditional
from .dashboard import SECURITY_HEADERS, Dashboard
from .errors import BadRequest, MonitorError
from .feeds import FeedPage, atom_feed, events_json, json_feed, last_modified, link_header, origin
from .httpserve import BoundedServer, Request, Response
from .metrics import Metrics
from .related import with_related
from .queries import find_events, moment_ranks, parse_filters
from .state import State, open_state

if TYPE_CHECKING:
    from .settings import Config

log = logging.getLogger("monitor.web")
FEED_SIZE = 50


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
    """The routes, served by a `BoundedServer` whose worker threads each keep one read-only
    connection to the database for their whole life (migrations ran once, at start).

    A page is a method or function taking (endpoint, request) and returning a Response, added
    to `routes`; it reads the database through `endpoint.state()`, this thread's State."""

    def __init__(self, listen: str, state_path: Path, metrics: Metrics, problems: Problems,
                 config: Callable[[], Config | None] = lambda: None):
        host, _, port = listen.rpartition(":")
        self.state_path = state_path
        self.metrics = metrics
        self.problems = problems
        self.pages = Dashboard(lambda work: work(self.state().conn), config)
        self.routes: dict[str, Callable[[Endpoint, Request], Response]] = {
            "/healthz": Endpoint.healthz, "/metrics": Endpoint.render_metrics,
            "/events.json": Endpoint.events_json, "/events.atom": Endpoint.events_atom,
            "/feed.json": Endpoint.feed_json}
        self._local = threading.local()
        self.server = BoundedServer(host.strip("[]"), int(port), self._handle, thread_exit=self._forget_state)
        self.address = "%s:%d" % self.server.address

    def start(self) -> None:
        self.server.start()
        log.info("HTTP endpoint on http://%s/ (%s)", self.address, ", ".join(self.routes))

    def stop(self) -> None:
        self.server.stop()

    def state(self) -> State:
        """This serving thread's connection to the database, opened on first use."""
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = open_state(self.state_path, readonly=True, migrate=False)
        return state

    def _forget_state(self) -> None:
        state = getattr(self._local, "state", None)
        self._local.state = None
        if state is not None:
            state.close()

    def _handle(self, request: Request) -> Response:
        answer = self._answer(request)
        answer.headers = {**SECURITY_HEADERS, **answer.headers}
        return not_modified(request, answer) or answer

    def _answer(self, request: Request) -> Response:
        page = self.routes.get(request.path)
        try:
            refused = None if request.path == "/healthz" else self.pages.refused(request.headers.get("authorization"))
            if refused:
                return refused
            if page is None:  # the dashboard's pages, a 404 page for anything unknown
                return self.pages.handle(request.path, request.query)
            return page(self, request)
        except BadRequest as exc:
            return Response(400, "text/plain; charset=utf-8", f"bad request: {exc}\n".encode())
        except (MonitorError, sqlite3.Error) as exc:  # a broken database: a 503, a fresh connection next time
            log.warning("endpoint %s failed: %s", request.path, exc)
            self._forget_state()
            return Response(503, "text/plain", f"unavailable: {exc}\n".encode())

    def healthz(self, request: Request) -> Response:
        problems = self.problems()
        try:
            self.state().conn.execute("select count(*) from meta").fetchone()
        except (MonitorError, sqlite3.Error) as exc:
            self._forget_state()
            problems.append(f"database unreadable: {exc}")
        if problems:
            return Response(503, "text/plain", ("; ".join(problems) + "\n").encode())
        return Response(200, "text/plain", b"ok\n")

    def render_metrics(self, request: Request) -> Response:
        state = self.state()
        last = {name: row["last_success"] for name, row in state.source_rows().items()}
        pending: dict[str, int] = {}
        for delivery in state.outbox.deliveries("pending"):
            pending[delivery.channel] = pending.get(delivery.channel, 0) + 1
        return Response(200, "text/plain; version=0.0.4; charset=utf-8", self.metrics.render(last, pending).encode())

    def _page(self, request: Request) -> FeedPage:
        """The newest events the query's filters allow (the dashboard's filters; default treaty
        actions; held and dropped events are not news), from the query's `before` cursor on."""
        filters, before = parse_filters(request.query)
        state = self.state()
        found = find_events(state.conn, filters, FEED_SIZE, before)
        page = FeedPage(with_related(state, found.events), filters, origin(request.headers.get("host"), self.address),
                        before, found.older, request.query,
                        ranks=moment_ranks(state.conn, [e.detected_at for e in found.events if e.detected_at]))
        if not page.events:
            page.newest = state.conn.execute("select max(detected_at) from events").fetchone()[0]
        return page

    def _feed(self, request: Request, content_type: str, render: Callable[[FeedPage], bytes],
              links: Callable[[FeedPage], dict[str, str]] = lambda page: {}) -> Response:
        page = self._page(request)
        status, headers, body = conditional(request.headers.get, render(page), last_modified(page), links(page))
        return Response(status, content_type, body, headers)

    def events_json(self, request: Request) -> Response:
        return self._feed(request, "application/json; charset=utf-8", events_json,
                          lambda page: link_header(page, "/events.json"))

    def events_atom(self, request: Request) -> Response:
        return self._feed(request, "application/atom+xml; charset=utf-8", atom_feed)

    def feed_json(self, request: Request) -> Response:
        return self._feed(request, "application/feed+json; charset=utf-8", json_feed)
