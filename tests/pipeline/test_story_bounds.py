"""Stories stay small: held and dropped events are never related, and a message lists at most 20 others."""

from __future__ import annotations

import asyncio
import json
import urllib.request

from helpers.config import hook, monitor_config
from helpers.http import Reply
from monitor.config import load_config
from monitor.events import Event, Treaty, event_id
from monitor.pipeline import Deliverer
from monitor.store import SuccessfulCheck, drop, state_for
from monitor.store.story_reads import RELATED_LIMIT, story_events
from monitor.treaties import story_id
from monitor.web import Endpoint, Metrics

NOISE, NEWS = 3000, 30


def ratification(source: str, n: int, at: str) -> Event:
    event = Event(id=event_id(source, f"T1:France:{n}", "ratification", n), type="ratification", source=source,
                  key=f"T1:France:{n}", subject="France", summary=f"France ratified treaty T1 ({source} {n})",
                  url=f"https://treaties.example.org/T1#{n}", date="2026-11-01", detected_at=at,
                  treaty=Treaty("T1", "Treaty T1", None), details={"reference": f"ref {n}"})
    event.story = story_id(event)
    return event


def record(state, source: str, events: list[Event], at: str, max_events: int | None = None) -> None:
    state.record_success(SuccessfulCheck(source=source, kind="feed", started_at=at, duration=0.1, outcome="changed",
                                         bytes=1, requests=1, not_modified=0, documents=[], memo={}, events=events,
                                         max_events=max_events))


def test_a_story_of_3000_dropped_events_gives_a_small_webhook_listing_only_the_newest_news(tmp_path, server):
    server.routes["/hook"] = Reply(200, "ok")
    path = monitor_config(tmp_path, hook(f"{server.base}/hook"))
    config = load_config(path)
    state = state_for(config)
    try:
        # 3,000 events of the story flood one check: held, then dropped as noise.
        noise = [ratification("noisy", n, f"2026-11-02T10:00:00.{n % 1000:03d}+00:00") for n in range(NOISE)]
        record(state, "noisy", noise, "2026-11-02T10:00:00.000+00:00", max_events=25)
        assert len(drop(state)) == NOISE
        # 30 real reports of it, then the one whose alert goes out.
        for n in range(NEWS):
            record(state, f"news{n}", [ratification(f"news{n}", n, f"2026-11-03T10:00:{n:02d}.000+00:00")],
                   f"2026-11-03T10:00:{n:02d}.000+00:00")
        state.conn.execute("delete from deliveries")
        real = ratification("coe", 1, "2026-11-04T10:00:00.000+00:00")
        record(state, "coe", [real], "2026-11-04T10:00:00.000+00:00")

        async def deliver() -> None:
            deliverer = Deliverer(config, state)
            await deliverer.deliver_due()
            await deliverer.aclose()
        asyncio.run(deliver())
        stored = story_events(state, real.story)
    finally:
        state.close()
    body = server.hits("/hook")[-1].body
    assert len(body) < 64 * 1024
    sent = json.loads(body)
    sent = sent["events"][0] if "events" in sent else sent
    assert sent["id"] == real.id
    assert sent["related_total"] == NEWS
    assert len(sent["related"]) == RELATED_LIMIT
    dropped = {e.id for e in noise}
    assert not dropped & {entry["id"] for entry in sent["related"]}
    # Newest first: the last 20 of the 30 reports.
    assert [entry["source"] for entry in sent["related"]] == [f"news{n}" for n in range(NEWS - 1, NEWS - 21, -1)]
    # `events --story` lists the whole story, each event with at most 20 news events related.
    assert len(stored) == NOISE + NEWS + 1
    assert all(len(e.related) <= RELATED_LIMIT and not dropped & {r["id"] for r in e.related} for e in stored)
    assert {e.related_total for e in stored if e.id in dropped} == {NEWS + 1}

    endpoint = Endpoint("127.0.0.1:0", config.state_path, Metrics(), lambda: [], lambda: config)
    endpoint.start()
    try:
        with urllib.request.urlopen(f"http://{endpoint.address}/events.json", timeout=10) as response:
            feed = response.read()
        with urllib.request.urlopen(f"http://{endpoint.address}/events.atom", timeout=10) as response:
            atom = response.read()
    finally:
        endpoint.stop()
    events = json.loads(feed)
    assert len(feed) < 64 * 1024 and len(events) == NEWS + 1  # the dropped events are not news
    assert all(e["related_total"] == NEWS for e in events)
    # a page lists the story's other reports once, under its newest event there
    assert len(events[0]["related"]) == RELATED_LIMIT and all(e["related"] == [] for e in events[1:])
    assert b"10 more reports" in atom and len(atom) < 1024 * 1024
