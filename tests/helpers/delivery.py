"""Alerts on their way out: an event as a check stores it, a config of channels with its deliverer,
delivery rounds, and the check of a webhook's signature."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time

from helpers.config import monitor_config
from monitor.clock import utcnow
from monitor.config import load_config
from monitor.events import Event, Treaty
from monitor.pipeline import Deliverer
from monitor.store import SuccessfulCheck, open_state

SECRET = "whsec-test-123"


def denunciation(key="126:RUS", subject="Russian Federation", title=None) -> Event:
    """Russia's denunciation of ETS No. 126 as the `coe` kind reports it (`key` makes it another one)."""
    return Event(
        id=f"ev-{key}", type="denunciation", source="coe", key=key, subject=subject,
        title=title or "Denunciation: Russian Federation — European Convention for the Prevention of Torture",
        summary="Russian Federation denounced ETS No. 126", url="https://www.coe.int/chart?treatynum=126",
        date="2025-09-29", effective_date="2026-03-01",
        treaty=Treaty("ETS No. 126", "European Convention for the Prevention of Torture and Inhuman or Degrading "
                      "Treatment or Punishment (ETS No. 126)", "https://www.coe.int/chart?treatynum=126"),
        details={"action": "denunciation"}, detected_at=utcnow())


def store(state, *events):
    """Commit events as a check would: the outbox rows are written in the same transaction."""
    check = SuccessfulCheck(source="coe", kind="coe", started_at=utcnow(), duration=0.1, outcome="changed",
                            bytes=0, requests=0, not_modified=0, documents=[], memo={}, events=list(events))
    return state.record_success(check)


def setup(tmp_path, channels: str, monkeypatch=None):
    """A config of `channels` with its state and deliverer: (path, config, state, deliverer); with
    `monkeypatch`, the webhook secret and the SMTP password are in the environment."""
    if monkeypatch:
        monkeypatch.setenv("LM_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("LM_SMTP_PASSWORD", "pw-from-env")
    path = monitor_config(tmp_path, channels)
    config = load_config(path)
    state = open_state(config.state_path, channels=config.channels)
    return path, config, state, Deliverer(config, state)


def deliver(deliverer):
    """One delivery round, then the deliverer closed; what it delivered."""
    async def go():
        try:
            return await deliverer.deliver_due()
        finally:
            await deliverer.aclose()
    return asyncio.run(go())


def verify(headers: dict[str, str], body: bytes) -> bool:
    """Whether `body` carries the signature of SECRET that its headers claim."""
    timestamp = headers["X-Legal-Monitor-Timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Legal-Monitor-Signature"])


def deliver_until(deliverer, done, timeout: float = 20.0) -> list[str]:
    """Run the delivery step until the outcomes so far satisfy `done` (deliveries become due
    on their own schedule); the outcomes, in order."""
    outcomes: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outcomes += [d.outcome for d in asyncio.run(deliverer.deliver_due())]
        if done(outcomes):
            break
        time.sleep(0.05)
    return outcomes
