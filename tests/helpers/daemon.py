"""What daemon tests watch: pages of numbered parties, a config of html sources checked every
half second, and the waits between the checks the daemon ran."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from helpers.config import QUICK, html_sources, monitor_config


def page(n):
    """A page listing `n` parties, `li` elements with the ids r0, r1, …"""
    rows = "".join(f"<li id='r{i}'>Party {i}</li>" for i in range(n))
    return f"<html><body><ul>{rows}</ul></body></html>"


def config_for(tmp_path, server, names=("a",), extra="", interval="500ms", jitter="0s"):
    """A config with the html sources `names` on `server`; `jitter=None` leaves the default."""
    sources = html_sources(server.base, names, 'fields = { title = ":scope" }')
    defaults = {**QUICK, "interval": interval, **({"jitter": jitter} if jitter is not None else {}), "timeout": "5s"}
    # `extra` follows the [defaults] table: keys of it, or tables of their own.
    return monitor_config(tmp_path, extra, sources, daemon={"shutdown_timeout": "3s", "delivery_interval": "1s"},
                          defaults=defaults)


def check_waits(config, source="a"):
    """Seconds between the starts of consecutive checks of `source`, from the database's check log."""
    with sqlite3.connect(config.parent / "state.db") as db:
        starts = [datetime.fromisoformat(row[0]) for row in db.execute(
            "select started_at from checks where source = ? order by id", [source])]
    return [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
