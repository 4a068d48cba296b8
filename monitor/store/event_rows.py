"""Events as rows of the `events` table: the one insert and the one reading of a row."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from monitor.events import Event, Treaty

COMPLETED = ("subject", "date", "date_text", "effective_date", "treaty", "url")
"""What a later report of a known event may fill in where the stored one had nothing."""


def insert_event(conn: sqlite3.Connection, event: Event) -> bool:
    """Store `event` unless its id is known (within a write); True when it is new. A known
    event keeps every value it has and gains only those it lacked (a depositary notification
    raised first, its status row seen later): completed, never alerted again."""
    cursor = conn.execute(
        "insert or ignore into events (id, type, source, key, subject, title, summary, url, date,"
        " effective_date, treaty, details, detected_at, hold, story, date_text)"
        " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [event.id, event.type, event.source, event.key, event.subject, event.title, event.summary,
         event.url, event.date, event.effective_date,
         json.dumps(event.treaty.__dict__, ensure_ascii=False) if event.treaty else None,
         json.dumps(event.details, ensure_ascii=False, sort_keys=True), event.detected_at, event.hold,
         event.story, event.date_text])
    if cursor.rowcount:
        return True
    treaty = json.dumps(event.treaty.__dict__, ensure_ascii=False) if event.treaty else None
    values = {"subject": event.subject, "date": event.date, "date_text": event.date_text,
              "effective_date": event.effective_date, "treaty": treaty, "url": event.url}
    conn.execute(f"update events set {', '.join(f'{name} = coalesce({name}, ?)' for name in COMPLETED)}"
                 " where id = ?", [*(values[name] for name in COMPLETED), event.id])
    return False


def row_to_event(row: dict[str, Any]) -> Event:
    treaty = json.loads(row["treaty"]) if row.get("treaty") else None
    return Event(
        id=row["id"], type=row["type"], source=row["source"], key=row["key"], title=row["title"],
        subject=row["subject"], summary=row["summary"], url=row["url"], date=row["date"],
        effective_date=row["effective_date"], treaty=Treaty(**treaty) if treaty else None,
        details=json.loads(row["details"] or "{}"), detected_at=row["detected_at"], hold=row.get("hold"),
        story=row.get("story"), date_text=row.get("date_text"))
