"""Delivery claims: each send claims its own rows, so a long batch is never sent twice; a clean stop gives claims back."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from collections import Counter

from helpers.cli import Daemon, run_cli
from helpers.config import hook
from helpers.daemon import config_for
from helpers.delivery import denunciation, store
from helpers.delivery import setup as alerts_setup
from helpers.http import Reply
from monitor.pipeline import Deliverer, deliver
from monitor.store import open_state


def test_a_batch_longer_than_a_claim_is_not_sent_twice_by_a_second_process(tmp_path, server, monkeypatch):
    monkeypatch.setattr(deliver, "CLAIM", 3.0)

    def slow(seen):
        time.sleep(0.4)  # ten sends take longer than one claim lasts
        return Reply(200, "ok")

    server.routes["/hook"] = slow
    path, config, daemon_state, daemon_side = alerts_setup(tmp_path, hook(server.base + "/hook"))
    store(daemon_state, *(denunciation(str(n)) for n in range(10)))
    check_state = open_state(config.state_path)
    check_side = Deliverer(config, check_state)  # a `check` run beside the daemon

    async def both():
        try:
            first = asyncio.create_task(daemon_side.deliver_due())
            while not server.hits("/hook"):  # the daemon's batch is under way
                await asyncio.sleep(0.05)
            others = []
            while not first.done():
                others += await check_side.deliver_due()
                await asyncio.sleep(0.2)
            return await first, others
        finally:
            await daemon_side.aclose()
            await check_side.aclose()

    try:
        mine, theirs = asyncio.run(both())
    finally:
        check_state.close()
        daemon_state.close()
    sent = Counter(seen.headers["X-Legal-Monitor-Delivery"] for seen in server.hits("/hook"))
    assert len(sent) == 10 and set(sent.values()) == {1}, sent
    assert len(mine) + len(theirs) == 10 and mine


def page(rows):
    return "<html><body><ul>" + "".join(f"<li id='r{i}'>{text}</li>" for i, text in rows) + "</ul></body></html>"


def test_sigterm_finishes_the_send_in_flight_and_gives_back_the_other_claims(tmp_path, server):
    server.routes["/a.html"] = Reply(200, page([(i, f"Party {i}") for i in range(3)]))
    arrived, go = threading.Event(), threading.Event()

    def gated(seen):
        arrived.set()
        go.wait(30)
        return Reply(200, "ok")

    server.routes["/hook"] = gated
    config = config_for(tmp_path, server, extra=hook(server.base + "/hook"))
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("checked a: baseline"), what="the baseline")
        server.routes["/a.html"] = Reply(200, page([(i, f"Party {i}") for i in range(3)]
                                                   + [(i, f"Ratification of the Convention by Party {i}") for i in range(3, 8)]))
        daemon.wait_for(arrived.is_set, what="the first alert on its way")
        daemon.process.send_signal(signal.SIGTERM)
        daemon.wait_for(lambda: daemon.logged("received SIGTERM"), what="the stop")
    finally:
        go.set()
        assert daemon.stop() == 0
    assert len(server.hits("/hook")) == 1  # the send in flight finished; no other began
    pending = json.loads(run_cli("--config", str(config), "deliveries", "--pending", "--json").stdout)
    assert len(pending) == 4 and all(row["claimed_until"] is None for row in pending), pending
    result = run_cli("--config", str(config), "check")  # right away, not ten minutes later
    assert result.returncode == 0, result.stderr
    sent = Counter(seen.headers["X-Legal-Monitor-Delivery"] for seen in server.hits("/hook"))
    assert len(sent) == 5 and set(sent.values()) == {1}, sent
