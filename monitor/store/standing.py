"""A source's failure standing: failures counted, a recovery cleared, and the events they raise."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from monitor.events import Event, ops_event
from monitor.store.writes import ensure_source

STANDING = ("select consecutive_failures, failing_since, last_error, records from sources"
            " where name = ? and kind = ?")
"""A source's failure standing and record count, when it is registered with this kind."""


class Standing(NamedTuple):
    """A source's failure standing and record count as a check begins to write."""

    failures: int
    failing_since: str | None
    last_error: str | None
    records: int | None

    @property
    def clean(self) -> bool:
        """No failure to clear: no streak, no incident, no error."""
        return not self.failures and self.failing_since is None and self.last_error is None


def standing_of(conn: sqlite3.Connection, name: str, kind: str, now: str) -> Standing:
    """The source's standing; a new source, or one whose kind changed, is (re)registered first."""
    row = conn.execute(STANDING, [name, kind]).fetchone()
    if row is None:
        ensure_source(conn, name, kind, now)
        row = conn.execute(STANDING, [name, kind]).fetchone()
    return Standing(*row)


def clean_sources(conn: sqlite3.Connection, names: list[str]) -> dict[str, str]:
    """The kind of each named source with no failure standing (no streak, no error)."""
    found: dict[str, str] = {}
    for start in range(0, len(names), 500):  # within SQLite's oldest limit on parameters
        chosen = names[start:start + 500]
        found.update(conn.execute(
            f"select name, kind from sources where name in ({','.join('?' * len(chosen))})"
            " and consecutive_failures = 0 and failing_since is null and last_error is null",
            chosen))
    return found


def recovered(source: str, before: Standing, threshold: int, now: str) -> list[Event]:
    """The `source_recovered` event of a check that ends an incident (a streak of `threshold`)."""
    streak, since = before.failures, before.failing_since
    if not (since and streak >= threshold):
        return []
    return [ops_event("source_recovered", source, since,
                      f"{source} recovered after {streak} failed check{'s' * (streak != 1)}",
                      now, {"failing_since": since, "failures": streak})]


def count_failure(conn: sqlite3.Connection, source: str, now: str, error: str, structural: bool,
                  threshold: int) -> tuple[int, list[Event]]:
    """Count one more failure: the streak, and the events it raises (to be stored): a
    `structure_changed` for an unknown page shape (one per incident: its id is the incident's),
    and a `source_failing` when the streak reaches `threshold`."""
    conn.execute("update sources set last_error = ?,"
                 " consecutive_failures = consecutive_failures + 1,"
                 " failing_since = coalesce(failing_since, ?) where name = ?", [error, now, source])
    streak, since = conn.execute("select consecutive_failures, failing_since from sources"
                                 " where name = ?", [source]).fetchone()
    events = []
    if structural:
        events.append(ops_event("structure_changed", source, since,
                                f"{source}: the page no longer has the expected shape: {error}",
                                now, {"error": error}))
    if streak == threshold:
        title = f"{source} failed {streak} check{'s' * (streak != 1)} in a row: {error}"
        events.append(ops_event("source_failing", source, since, title, now,
                                {"error": error, "failing_since": since, "failures": streak}))
    return streak, events


def clear_failure(conn: sqlite3.Connection, source: str, before: Standing) -> None:
    """Clear the failure standing of a source whose check fully succeeded (when there is one)."""
    if not before.clean:
        conn.execute("update sources set last_error = null, consecutive_failures = 0,"
                     " failing_since = null where name = ?", [source])
