"""The events of UN depositary notifications (C.N.s), and the status events that are the same action."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from monitor.events import Event, Treaty, make_event
from monitor.records import Record
from monitor.sources.untc.cn import Notification, fold
from monitor.sources.untc.withdrawals import is_withdrawal, withdrawal_dates

PENDING_DAYS = 120
"""A C.N. whose action the status document has not shown after this long is forgotten (its
event stands; a status change seen later would be a new event)."""


@dataclass(frozen=True)
class NoticeContext:
    """`Part.context` of a C.N.'s part: the C.N., its link, its participant as the status table
    names it, its treaty, and whether it raises the event (not when the treaty's status already
    shows the action: the status part raises it, under the same id)."""

    note: Notification
    url: str
    name: str | None
    treaty: Treaty
    raises: bool


_SMALL = {"and", "of", "the", "for", "de", "du", "des", "la", "le", "et"}


def display_name(capitals: str) -> str:
    """A name printed in capitals, for messages, when the status table does not list it yet
    ("TRINIDAD AND TOBAGO" -> "Trinidad and Tobago")."""
    words = capitals.lower().split()
    return " ".join(w if i and w in _SMALL else w[:1].upper() + w[1:] for i, w in enumerate(words))


def participant_names(records: list[Record]) -> list[str]:
    return [r.fields["participant"] for r in records if ":participant:" in r.key and r.fields.get("participant")]


def resolve(note: Notification, records: list[Record]) -> str | None:
    """The status table's name of the C.N.'s participant ("TRINIDAD AND TOBAGO" -> "Trinidad and Tobago")."""
    if not note.participant:
        return None
    wanted = fold(note.participant)
    return next((name for name in participant_names(records) if fold(name) == wanted), None)


def shows(note: Notification, name: str | None, records: list[Record]) -> bool:
    """Whether the treaty's status records already hold the C.N.'s action."""
    if not name or not note.date:
        return False
    if note.event_type in ("ratification", "signature"):
        role = "signature" if note.event_type == "signature" else "consent"
        for record in records:
            if record.key.endswith(f":participant:{name}"):
                history = (record.fields.get("history") or "").split("; ")
                return record.fields.get(role) == note.date or any(h.startswith(f"{role} {note.date} ") for h in history)
        return False
    if note.event_type == "denunciation":
        return any(":note:" in r.key and r.fields.get("participant") == name and
                   is_withdrawal(r.fields.get("text") or "") and
                   withdrawal_dates(r.fields.get("text") or "")[0] == note.date for r in records)
    return False


def notice_record(note: Notification, url: str) -> Record:
    """The C.N. as a record of its own part (its key is the C.N.'s number and year)."""
    return Record(f"CN.{note.number}.{note.year}", {
        "reference": note.reference, "treaty": note.treaty, "participant": note.participant,
        "heading": note.heading, "action": note.action, "date": note.date, "effective_date": note.effective_date,
    }, note.heading, url)


def notice_event(source: str, note: Notification, url: str, name: str | None, treaty: Treaty,
                 detected_at: str) -> Event:
    """The event a C.N. raises. When its participant is in the status table, its id is the one
    the status change will give (participant key, type and date), so that change is no news."""
    key = f"CN.{note.number}.{note.year}"
    who = name or (display_name(note.participant) if note.participant else None)
    participant_key = f"{note.treaty}:participant:{name}" if name and note.event_type in (
        "ratification", "signature", "denunciation") else None
    words = note.action.replace("_", " ")
    summary = f"{who or 'Depositary notification'}: {words}"
    if note.date:
        summary += f" on {note.date}"
    if note.effective_date:
        summary += f", effective {note.effective_date}"
    summary += f" ({treaty.title or note.treaty}; depositary notification {note.reference})"
    identity = (note.date,) if participant_key else ()
    return make_event(source, key, note.event_type, identity, id_key=participant_key, title=treaty.title or note.treaty,
                      subject=who, summary=summary, url=url, date=note.date, effective_date=note.effective_date,
                      treaty=treaty, detected_at=detected_at,
                      details={"action": note.action, "cn_reference": note.reference, "cn_url": url,
                               "cn_heading": note.heading})


def pending_entry(event: Event, note: Notification, name: str | None, today: str) -> dict[str, Any]:
    """What the memo keeps of a raised C.N. so that the status change seen later takes its id."""
    return {"id": event.id, "treaty": note.treaty, "type": note.event_type, "date": note.date,
            "participant": fold(name or note.participant or ""), "resolved": name is not None,
            "reference": note.reference, "url": event.url, "since": today}


def adopt(events: list[Event], notices: tuple[dict[str, Any], ...]) -> list[Event]:
    """Status events that are the action of a C.N. already raised take that C.N.'s event id (one
    action, one event: the store keeps the first and sends nothing again) and its link."""
    if not notices:
        return events
    out = []
    for event in events:
        same = [n for n in notices if n["type"] == event.type and n["date"] == event.date]
        match = next((n for n in same if n["participant"] == fold(event.subject or "")), None)
        unresolved = [n for n in same if not n["resolved"]]
        if match is None and len(unresolved) == 1:
            match = unresolved[0]  # a French-only C.N. or a new participant: the one of its kind that day
        if match is not None:
            event = replace(event, id=match["id"], details={**event.details, "cn_reference": match["reference"],
                                                            "cn_url": match["url"]})
        out.append(event)
    return out
