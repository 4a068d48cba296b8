"""A state database for the dashboard tests, filled by the real check pipeline.

CoE (a local Treaty Office): baseline, then Russia denounces ETS 126, then the Czech
ratification and Kazakh signature of CETS 210. UN (local MTDSG XML, optional): the Paris
Agreement from baseline to the US withdrawal notification. Hostile titles are added as
events of a third source, written through the same State API the checks use."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from conftest import Reply, write_config
from monitor.config import load_config
from monitor.events import Event, Treaty, event_id
from monitor.pipeline.check import check_all
from monitor.store.state import SuccessfulCheck, open_state
from test_coe_cli import TreatyOffice, load
from test_untc_pipeline import PATHS, XML_TYPE, fixture

HOSTILE = "<script>alert('x')</script>"


def build(tmp_path: Path, server, *, un: bool = True, hostile: bool = True) -> Path:
    """Write the config, run the checks, and return the config's path."""
    office = TreatyOffice(server)
    paris = {"body": fixture("paris_1_2019-10-30.en.xml")}
    server.routes[PATHS["XXVII-7-d"]] = lambda seen: Reply(200, paris["body"], XML_TYPE)
    un_source = f"""
        [[sources]]
        name = "un"
        kind = "untc"
        base_url = "{server.base}"
        treaties = ["XXVII-7-d"]
        """ if un else ""
    path = write_config(tmp_path, f"""
        [state]
        path = "state.db"

        [defaults]
        retries = 0
        host_delay = "0s"

        [[sources]]
        name = "coe"
        kind = "coe"
        base_url = "{server.base}/"
        page_url = "{server.base}/en/web/conventions/full-list"
        sweep_period = "5m"  # every chart in every check
        {un_source}
        """)
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
    import sqlite3

    conn = sqlite3.connect(load_config(path).state_path)
    try:
        return [dict(zip(("type", "subject", "source"), row, strict=False))
                for row in conn.execute("select type, subject, source from events")]
    finally:
        conn.close()


__all__ = ["HOSTILE", "build", "events_in", "json"]
