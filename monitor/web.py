"""The optional HTTP endpoint: /healthz, /metrics, /events.json and /events.atom."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from .clock import utcnow
from .events import OPS_TYPES, RECORD_TYPES
from .metrics import Metrics
from .related import with_related
from .render import headline
from .stories import also_reported
from .state import open_state

log = logging.getLogger("monitor.web")
FEED_SIZE = 50


class Endpoint:
    """Serves the endpoint from its own thread, reading the database on its own connection."""

    def __init__(self, listen: str, state_path: Path, metrics: Metrics, alive: Callable[[], bool]):
        host, _, port = listen.rpartition(":")
        self.state_path = state_path
        self.metrics = metrics
        self.alive = alive
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                route = {"/healthz": endpoint.healthz, "/metrics": endpoint.render_metrics,
                         "/events.json": endpoint.events_json, "/events.atom": endpoint.events_atom}.get(path)
                if route is None:
                    status, ctype, body = 404, "text/plain", b"not found\n"
                else:
                    try:
                        status, ctype, body = route()
                    except Exception as exc:  # a broken database must give a 503, not a dead thread
                        log.warning("endpoint %s failed: %s", path, exc)
                        status, ctype, body = 503, "text/plain", f"unavailable: {exc}\n".encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer((host.strip("[]"), int(port)), Handler)
        self.server.daemon_threads = True
        self.address = "%s:%d" % self.server.server_address[:2]
        self._thread = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)

    def start(self) -> None:
        self._thread.start()
        log.info("HTTP endpoint on http://%s/ (/healthz, /metrics, /events.json, /events.atom)", self.address)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def healthz(self) -> tuple[int, str, bytes]:
        problems = []
        if not self.alive():
            problems.append("scheduler not running")
        try:
            conn = sqlite3.connect(self.state_path, timeout=2)
            try:
                conn.execute("begin immediate")
                conn.execute("rollback")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            problems.append(f"database not writable: {exc}")
        if problems:
            return 503, "text/plain", ("; ".join(problems) + "\n").encode()
        return 200, "text/plain", b"ok\n"

    def _read(self, work: Callable) -> object:
        state = open_state(self.state_path)
        try:
            return work(state)
        finally:
            state.close()

    def render_metrics(self) -> tuple[int, str, bytes]:
        def work(state):
            last = {name: row["last_success"] for name, row in state.source_rows().items()}
            pending: dict[str, int] = {}
            for row in state.deliveries("pending"):
                pending[row["channel"]] = pending.get(row["channel"], 0) + 1
            return self.metrics.render(last, pending)
        return 200, "text/plain; version=0.0.4; charset=utf-8", self._read(work).encode()

    def _latest(self):
        def work(state):
            events = state.events(limit=FEED_SIZE * 4)
            return with_related(state, [e for e in events if e.type not in OPS_TYPES and e.type not in RECORD_TYPES
                                        and e.hold in (None, "released")][:FEED_SIZE])  # held, dropped: not news
        return self._read(work)

    def events_json(self) -> tuple[int, str, bytes]:
        from .channels.webhook import payload

        body = json.dumps([payload(e) for e in self._latest()], ensure_ascii=False, indent=1)
        return 200, "application/json; charset=utf-8", body.encode()

    def events_atom(self) -> tuple[int, str, bytes]:
        ns = "http://www.w3.org/2005/Atom"
        ET.register_namespace("", ns)
        feed = ET.Element(f"{{{ns}}}feed")
        events = self._latest()
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
            also = "".join(f"\nAlso reported: {also_reported(r)}" for r in event.related)
            ET.SubElement(entry, f"{{{ns}}}summary").text = (event.summary or event.title or "") + also
            ET.SubElement(entry, f"{{{ns}}}category", term=event.type)
            if event.story:
                ET.SubElement(entry, f"{{{ns}}}category", term=f"story:{event.story}", label="story")
            for other in event.related:
                if other.get("url"):
                    ET.SubElement(entry, f"{{{ns}}}link", rel="related", href=other["url"])
        body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
        return 200, "application/atom+xml; charset=utf-8", body
