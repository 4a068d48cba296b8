"""A cycle reads what the state held of all its sources at once: validators, rows and missing
records still work as they do when one source is checked alone."""

from __future__ import annotations

import asyncio

from helpers.config import QUICK, html_sources, monitor_config
from helpers.http import Reply
from monitor.config import load_config
from monitor.pipeline import check_all
from monitor.store import open_state

HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(items: list[str]) -> str:
    return "<html><body><ul>" + "".join(f"<li id='{i}'>{i}</li>" for i in items) + "</ul></body></html>"


def test_a_record_gone_from_a_page_is_removed_at_the_second_miss_even_when_the_page_then_answers_304(
        server, tmp_path):
    pages = {"/a.html": (["x", "y", "z"], '"a1"'), "/b.html": (["p", "q"], '"b1"')}
    for path in pages:
        server.routes[path] = lambda seen, path=path: Reply(200, page(pages[path][0]),
                                                              {**HTML, "ETag": pages[path][1]})
    config = load_config(monitor_config(tmp_path, html_sources(server.base, ["a", "b"]), defaults=QUICK))
    state = open_state(config.state_path)

    def cycle() -> dict[str, tuple[str, int]]:
        return {r.source: (r.outcome, r.removed) for r in asyncio.run(check_all(config, state))}

    try:
        assert cycle() == {"a": ("baseline", 0), "b": ("baseline", 0)}
        pages["/a.html"] = (["x", "y"], '"a2"')  # z is gone: one miss, not a removal yet
        assert cycle() == {"a": ("unchanged", 0), "b": ("unchanged", 0)}
        assert {r.record.key: r.missing for r in state.records("a")} == {"x": 0, "y": 0, "z": 1}
        server.requests.clear()
        assert cycle() == {"a": ("changed", 1), "b": ("unchanged", 0)}  # the 304 is z's second miss
        assert [r.record.key for r in state.records("a")] == ["x", "y"]
        assert sorted((r.path, r.headers.get("If-None-Match")) for r in server.requests) == [
            ("/a.html", '"a2"'), ("/b.html", '"b1"')]
        assert cycle() == {"a": ("unchanged", 0), "b": ("unchanged", 0)}
    finally:
        state.close()
