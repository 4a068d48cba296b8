"""What `sources` and `status` report for each source, times in the local time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.clock import iso
from monitor.errors import plain_error
from monitor.schedule import next_check
from monitor.settings import Config
from monitor.text import local, local_iso, mask_text, shown


def source_list(config: Config, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per configured source for `sources`: kind, last check, status, records."""
    table = []
    for source in config.sources:
        row = rows.get(source.name) or {}
        status = "disabled" if not source.enabled else ("never checked" if not row else row["last_outcome"])
        table.append({
            "name": source.name, "kind": source.kind, "enabled": source.enabled,
            "last_check": local_iso(row.get("last_check")), "status": status,
            "records": row.get("records") or 0,
            "last_change": local_iso(row.get("last_change")),
            "consecutive_failures": row.get("consecutive_failures", 0),
            "last_error": _error(row, source.params),
        })
    return table


def source_status(config: Config, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per configured source for `status`: last check and outcome, and the next
    check as the daemon schedules it (null when never checked: the daemon starts it at once)."""
    sources = []
    for source in config.sources:
        row = rows.get(source.name) or {}
        due = next_check(source, row) if source.enabled else None
        sources.append({"name": source.name, "enabled": source.enabled,
                        "last_check": local_iso(row.get("last_check")),
                        "last_outcome": row.get("last_outcome"),
                        "next_check": local_iso(iso(due)) if due else None,
                        "consecutive_failures": row.get("consecutive_failures") or 0,
                        "last_error": _error(row, source.params)})
    return sources


def _error(row: dict[str, Any], params: dict[str, str]) -> str | None:
    """A stored error as shown: URLs with credentials masked (rows written before masking too)."""
    return plain_error(mask_text(row["last_error"], set(params))) if row.get("last_error") else None


def next_cell(entry: dict[str, Any], now: datetime) -> str:
    """How `status` shows a source's next check to a person."""
    if not entry["enabled"]:
        return "disabled"
    cell = shown(entry["next_check"], now, missing="as soon as the daemon runs")
    return f"overdue: {cell}" if entry["next_check"] and local(entry["next_check"]) < now else cell

