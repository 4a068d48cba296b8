"""`test-alert`: a made-up event sent at once to the chosen channels, through the deliverer."""

from __future__ import annotations

import uuid
from datetime import timezone

from monitor.clock import today, utcnow
from monitor.errors import MonitorError
from monitor.events import Event, Treaty
from monitor.pipeline import Delivered, Deliverer
from monitor.settings import Config


def sample_event() -> Event:
    """An event no treaty office published, with a fresh id, marked `details.test`."""
    return Event(
        id="test-" + uuid.uuid4().hex[:16], type="denunciation", source="test-alert", key="test",
        subject="Testland", title="Test alert from legal-monitor (no real treaty action)",
        summary="This is a test message sent by `legal-monitor test-alert`.", url="https://example.org/",
        date=today(timezone.utc).isoformat(), detected_at=utcnow(),
        treaty=Treaty("TEST", "Convention on Testing Alerts", None), details={"test": True})


def chosen_channels(config: Config, names: list[str] | None) -> list[str]:
    """The named channels (enabled or not), or every enabled one; a MonitorError for an unknown
    name or when there is none."""
    wanted = names or [c.name for c in config.channels if c.enabled]
    known = [c.name for c in config.channels]
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise MonitorError(f"unknown channel {', '.join(map(repr, unknown))} (known: {', '.join(known) or 'none'})")
    if not wanted:
        raise MonitorError("no channels configured: add a [[channels]] table")
    return wanted


async def send_test_alert(config: Config, names: list[str] | None = None) -> list[Delivered]:
    """Send one sample event to each chosen channel now, as the daemon sends a delivery
    (without storing anything); one outcome per channel, "sent" or "failed"."""
    wanted = chosen_channels(config, names)
    deliverer = Deliverer(config, None, wanted)
    try:
        return await deliverer.send_test(sample_event(), wanted)
    finally:
        await deliverer.aclose()
