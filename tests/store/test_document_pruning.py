"""Pruning forgets the documents no check has fetched for `keep_checks`; a page that keeps
answering 304 (unchanged) is still fetched, so its validators and snapshot stay."""

from __future__ import annotations

import asyncio

from helpers.config import QUICK, html_source, monitor_config
from helpers.http import Reply
from monitor.clock import later, utcnow
from monitor.config import load_config
from monitor.pipeline import check_all
from monitor.store import open_state

HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "<html><body><ul><li id='x'>x</li><li id='y'>y</li></ul></body></html>"


def test_a_page_that_keeps_answering_304_survives_the_prune_and_is_still_asked_conditionally(server, tmp_path):
    server.routes["/chart.html"] = Reply(200, PAGE, {**HTML, "ETag": '"v1"'})
    config = load_config(monitor_config(tmp_path, html_source(f"{server.base}/chart.html", name="chart"),
                                        defaults=QUICK))
    state = open_state(config.state_path)
    try:
        asyncio.run(check_all(config, state))
        # the page was last fetched with a body 40 days ago, and has answered 304 since
        long_ago = later(utcnow(), -40 * 86400)
        state.write(lambda: state.conn.execute("update documents set checked_at = ?", [long_ago]))
        server.requests.clear()
        assert [r.outcome for r in asyncio.run(check_all(config, state))] == ["unchanged"]
        assert [(r.path, r.headers.get("If-None-Match")) for r in server.requests] == [("/chart.html", '"v1"')]

        pruned = state.prune_documents(later(utcnow(), -30 * 86400))  # keep_checks = 30 days, as the daemon does
        assert pruned == 0
        assert state.snapshot_body("chart", f"{server.base}/chart.html") == PAGE.encode()
        server.requests.clear()
        assert [r.outcome for r in asyncio.run(check_all(config, state))] == ["unchanged"]
        assert [(r.path, r.headers.get("If-None-Match")) for r in server.requests] == [("/chart.html", '"v1"')]
        # a document nobody fetches any more is still forgotten
        state.write(lambda: state.conn.execute(
            "insert into documents (source, key, url, hash, checked_at, changed_at) values"
            " ('chart', 'gone', 'http://127.0.0.1:9/gone', 'h', ?, ?)", [long_ago, long_ago]))
        assert state.prune_documents(later(utcnow(), -30 * 86400)) == 1
    finally:
        state.close()
