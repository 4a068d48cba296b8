"""A state database that cannot commit: /healthz says so, one log line per failure, recovery by itself."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import threading
import urllib.request
from urllib.error import HTTPError

from helpers.cli import Daemon
from helpers.config import hook, monitor_config
from helpers.daemon import config_for
from helpers.delivery import denunciation, store
from helpers.disk import fill
from helpers.http import Reply, free_port
from monitor.config import load_config
from monitor.pipeline import Deliverer
from monitor.store import open_state


def page(rows):
    return "<html><body><ul>" + "".join(f"<li id='r{i}'>Party {i} {text}</li>" for i, text in rows) + "</ul></body></html>"


def healthz(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
            return response.status, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_full_disk_gives_503_one_line_per_failure_and_recovers(tmp_path, server, small_disk):
    server.routes["/a.html"] = Reply(200, page([(i, "") for i in range(3)]))
    port = free_port()
    config = config_for(small_disk, server)
    config.write_text(f'[http]\nlisten = "127.0.0.1:{port}"\n' + config.read_text())
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("checked a: baseline"), what="the baseline")
        assert healthz(port)[0] == 200
        filler = fill(small_disk)
        # A page that changes on every fetch needs room the disk no longer has.
        server.routes["/a.html"] = lambda seen: Reply(200, page([(i, secrets.token_hex(200)) for i in range(300)]))
        daemon.wait_for(lambda: sum("check of a not saved" in line for line in daemon.lines) >= 3,
                        timeout=60, what="checks failing to commit")
        status, body = healthz(port)
        assert status == 503 and "database cannot commit" in body and "full" in body, (status, body)
        assert not any("Traceback" in line for line in daemon.lines)
        filler.unlink()
        daemon.wait_for(lambda: healthz(port)[0] == 200, timeout=30, what="/healthz to recover")
        daemon.wait_for(lambda: daemon.logged("checked a: changed"), what="a check committed again")
    finally:
        assert daemon.stop() == 0
    assert not any("Traceback" in line for line in daemon.lines)


def test_an_outcome_that_cannot_be_written_is_kept_and_written_without_a_second_send(tmp_path, server):
    """The send went out, then the database could not commit: the delivery is recorded as sent
    once it can, instead of being re-sent when its claim lapses."""
    path = monitor_config(tmp_path, hook(server.base + "/hook"))
    config = load_config(path)
    state = open_state(config.state_path, channels=config.channels)
    state.conn.execute("pragma busy_timeout = 100")
    deliverer = Deliverer(config, state)
    store(state, denunciation("1"), denunciation("2"))
    blocker = sqlite3.connect(config.state_path, isolation_level=None, check_same_thread=False)
    arrived = threading.Event()

    def lock_the_database(seen):
        if not arrived.is_set():
            blocker.execute("begin immediate")  # the database cannot commit from now on
            arrived.set()
        return Reply(200, "ok")

    server.routes["/hook"] = lock_the_database

    async def go():
        try:
            first = await asyncio.gather(deliverer.deliver_due(), return_exceptions=True)
            blocker.execute("rollback")  # the disk has room again
            return first[0], await deliverer.deliver_due()
        finally:
            await deliverer.aclose()

    try:
        failure, second = asyncio.run(go())
        assert "cannot write the state database" in str(failure)
        assert [d.outcome for d in second] == ["sent"]  # the other one, sent now
        rows = {r.event_id: r for r in state.outbox.deliveries()}
        assert {r.status for r in rows.values()} == {"sent"}
        assert all(r.claimed_until is None for r in rows.values())
        sent = [seen.headers["X-Legal-Monitor-Delivery"] for seen in server.hits("/hook")]
        assert sorted(sent) == sorted(r.id for r in rows.values())  # each once
    finally:
        blocker.close()
        state.close()
