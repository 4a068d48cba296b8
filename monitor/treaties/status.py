"""A treaty's current status table, as the dashboard shows it: one row per participant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from monitor.records import Record


@dataclass
class StatusRow:
    """Where one state or organisation stands: ISO dates, the consent action, notes as text."""

    participant: str
    signature: str | None = None
    consent: str | None = None
    action: str | None = None
    entry_into_force: str | None = None
    denunciation: str | None = None
    denunciation_effective: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class TreatyStatus:
    """The table of one treaty, with its title, official page and a few facts about it."""

    treaty: str
    title: str
    url: str | None
    rows: list[StatusRow]
    facts: list[tuple[str, str]] = field(default_factory=list)


RecordsOf = Callable[[str], list[Record]]
"""The current records of one treaty, by the source's own id (records keyed "<id>:…")."""

StatusTable = Callable[[str, RecordsOf, dict[str, Any]], "TreatyStatus | None"]
"""(the treaty id as given, its records, the source's memo) -> the table, or None when the
id names none of this source's treaties."""
