"""A state database for the dashboard tests, filled by the real check pipeline.

CoE (a local Treaty Office): baseline, then Russia denounces ETS 126, then the Czech
ratification and Kazakh signature of CETS 210. UN (local MTDSG XML, optional): the Paris
Agreement from baseline to the US withdrawal notification. Hostile titles are added as
events of a third source, written through the same State API the checks use."""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.error import HTTPError

from helpers.coe import TreatyOffice, load
from helpers.config import QUICK, monitor_config, source_table
from helpers.http import LocalServer, Reply
from helpers.untc import PATHS, XML_TYPE, fixture
from monitor.config import load_config
from monitor.events import Event, Treaty, event_id
from monitor.pipeline import check_all
from monitor.store import SuccessfulCheck, open_state
from monitor.web import Endpoint, Metrics

HOSTILE = "<script>alert('x')</script>"


def build(tmp_path: Path, server, *, un: bool = True, hostile: bool = True) -> Path:
    """Write the config, run the checks, and return the config's path."""
    office = TreatyOffice(server)
    paris = {"body": fixture("paris_1_2019-10-30.en.xml")}
    server.routes[PATHS["XXVII-7-d"]] = lambda seen: Reply(200, paris["body"], XML_TYPE)
    un_source = source_table("un", "untc", base_url=server.base, treaties=["XXVII-7-d"]) if un else ""
    path = monitor_config(tmp_path, source_table("coe", "coe", 'sweep_period = "5m"  # every chart in every check',
                                                 base_url=f"{server.base}/",
                                                 page_url=f"{server.base}/en/web/conventions/full-list"),
                          un_source, defaults=QUICK)
    config = load_config(path)
    state = open_state(config.state_path)
    try:
        def check() -> None:
            for report in asyncio.run(check_all(config, state)):
                assert report.ok, report.error
        check()
        office.charts["126"] = load("signatures_126_after.json")
        paris["body"] = fixture("paris_2_2019-11-05.en.xml")
        check()
        office.charts["126"] = load("signatures_126_effective.json")
        office.charts["210"] = load("signatures_210_after.json")
        check()
        if hostile:
            add_hostile(state)
    finally:
        state.close()
    return path


def add_hostile(state) -> None:
    """An event whose every text field tries to inject markup, and a link that is not a web page."""
    now = "2026-11-20T10:00:00.000+00:00"
    event = Event(id=event_id("feedsrc", "x", "ratification", 1), type="ratification", source="feedsrc",
                  key="x", title=HOSTILE, subject=f"Evil{HOSTILE}", summary=f"<b>{HOSTILE}</b>",
                  url="javascript:alert(1)", date="2026-11-19", detected_at=now,
                  treaty=Treaty("T1", f"Treaty {HOSTILE}", "javascript:alert(2)"), details={"action": HOSTILE})
    state.record_success(SuccessfulCheck(source="feedsrc", kind="feed", started_at=now, duration=0.1,
                                         outcome="changed", bytes=1, requests=1, not_modified=0, documents=[],
                                         memo={}, events=[event]))
    state.record_failure("feedsrc", "feed", "2026-11-20T11:00:00.000+00:00", 0.1,
                         f"HTTP 500 {HOSTILE}", threshold=3)


def events_in(path: Path) -> list[dict]:
    """(type, subject, source) of every event stored in the database of the config at `path`."""
    conn = sqlite3.connect(load_config(path).state_path)
    try:
        return [dict(zip(("type", "subject", "source"), row, strict=False))
                for row in conn.execute("select type, subject, source from events")]
    finally:
        conn.close()


def serve(config_path) -> Endpoint:
    """The web side over the database of the config at `config_path`, started on a free port."""
    config = load_config(config_path)
    endpoint = Endpoint("127.0.0.1:0", config.state_path, Metrics(), lambda: [], lambda: config)
    endpoint.start()
    return endpoint


@contextmanager
def serve_dashboard(tmp_path: Path, **data: bool) -> Iterator[str]:
    """The base address of the dashboard over a database the real checks filled (`build`)."""
    portals = LocalServer().start()
    try:
        path = build(tmp_path, portals, **data)
    finally:
        portals.stop()
    endpoint = serve(path)
    try:
        yield f"http://{endpoint.address}"
    finally:
        endpoint.stop()


def get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    """Status, headers and text of a GET of `base + path`, whatever the status."""
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()
