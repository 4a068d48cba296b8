"""A cycle writes the checks that found nothing new together: every one is still logged, its
source's last check moves, and nothing a check learned waits on them."""

from __future__ import annotations

import asyncio
import threading

from helpers.config import QUICK, html_sources, monitor_config
from helpers.http import Reply
from monitor.config import load_config
from monitor.pipeline import check_all
from monitor.store import SuccessfulCheck, open_state

HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(items: list[str]) -> str:
    return "<html><body><ul>" + "".join(f"<li id='{i}'>{i}</li>" for i in items) + "</ul></body></html>"


def sources_config(tmp_path, server, names: list[str]):
    return load_config(monitor_config(tmp_path, html_sources(server.base, names), defaults=QUICK))


def serve(server, name: str, items: list[str], etag: str) -> None:
    server.routes[f"/{name}.html"] = Reply(200, page(items), {**HTML, "ETag": etag})


def test_an_unchanged_cycle_logs_every_check_and_moves_each_last_check(server, tmp_path):
    names = ["a", "b", "c"]
    for name in names:
        serve(server, name, ["x", "y"], f'"{name}1"')
    config = sources_config(tmp_path, server, names)
    state = open_state(config.state_path)
    try:
        asyncio.run(check_all(config, state))
        before = {row["name"]: row for row in state.rows("select * from sources")}
        reports = asyncio.run(check_all(config, state))
        assert [(r.source, r.outcome, r.records, r.not_modified) for r in reports] == [
            ("a", "unchanged", 2, 1), ("b", "unchanged", 2, 1), ("c", "unchanged", 2, 1)]
        rows = {row["name"]: row for row in state.rows("select * from sources")}
        for name in names:
            assert rows[name]["last_check"] > before[name]["last_check"]
            assert rows[name]["last_success"] == rows[name]["last_check"]
            assert rows[name]["last_outcome"] == "unchanged"
            assert rows[name]["memo"] == before[name]["memo"]  # the extraction settings stay noted
            assert rows[name]["records"] == 2
        logged = state.rows("select source, outcome, started_at, not_modified, records, events from checks"
                            " where outcome = 'unchanged' order by source")
        assert [(r["source"], r["started_at"], r["not_modified"], r["events"]) for r in logged] == [
            (name, rows[name]["last_check"], 1, 0) for name in names]
        # and the next change is still news: the quiet writes kept the records and validators
        serve(server, "b", ["x", "y", "z"], '"b2"')
        changed = {r.source: (r.outcome, r.added) for r in asyncio.run(check_all(config, state))}
        assert changed == {"a": ("unchanged", 0), "b": ("changed", 1), "c": ("unchanged", 0)}
    finally:
        state.close()


def test_the_quiet_checks_of_a_cycle_cut_short_are_still_logged(server, tmp_path):
    serve(server, "fast", ["x"], '"f1"')
    serve(server, "slow", ["x"], '"s1"')
    config = sources_config(tmp_path, server, ["fast", "slow"])
    state = open_state(config.state_path)
    release = threading.Event()
    try:
        asyncio.run(check_all(config, state))
        logged = len(state.rows("select id from checks"))

        def hang(seen):
            release.wait(10)
            return Reply(200, page(["x"]), {**HTML, "ETag": '"s1"'})
        server.routes["/slow.html"] = hang

        async def cut_short() -> None:
            cycle = asyncio.ensure_future(check_all(config, state))
            while not any(r.path == "/fast.html" for r in server.requests[2:]):
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # let the fast check finish its bookkeeping
            cycle.cancel()
            try:
                await cycle
            except asyncio.CancelledError:
                pass

        asyncio.run(cut_short())
        release.set()
        rows = state.rows("select source, outcome from checks where id > ?", [logged])
        assert [(r["source"], r["outcome"]) for r in rows] == [("fast", "unchanged")]
    finally:
        release.set()
        state.close()


def test_a_failure_noted_by_another_process_meanwhile_is_cleared_as_a_full_write_would(tmp_path):
    state = open_state(tmp_path / "state.db")
    try:
        def check(started_at: str) -> SuccessfulCheck:
            return SuccessfulCheck(source="s", kind="html", started_at=started_at, duration=0.1,
                                   outcome="unchanged", bytes=0, requests=1, not_modified=1, documents=[],
                                   memo={"extraction_settings": "f"}, threshold=2)
        state.record_success(SuccessfulCheck(source="s", kind="html", started_at="2026-01-01T00:00:00.000+00:00",
                                             duration=0.1, outcome="baseline", bytes=10, requests=1,
                                             not_modified=0, documents=[], memo={}, first=True))
        # the cycle read a clean row; then another process logged two failures (an incident)
        for when in ("2026-01-01T01:00:00.000+00:00", "2026-01-01T02:00:00.000+00:00"):
            state.record_failure("s", "html", when, 0.1, "HTTP 503", threshold=2)
        state.record_quiet([check("2026-01-01T03:00:00.000+00:00")])
        row = state.source_row("s")
        assert (row["consecutive_failures"], row["failing_since"], row["last_error"], row["last_outcome"]) == (
            0, None, None, "unchanged")
        assert [e.type for e in reversed(state.events())] == ["source_failing", "source_recovered"]
        assert [r["outcome"] for r in state.rows("select outcome from checks order by id")] == [
            "baseline", "failed", "failed", "unchanged"]
    finally:
        state.close()
