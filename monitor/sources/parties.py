"""Party tables of depositaries: one record per state and treaty, its event rules, status table and catalogue."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from monitor.diff import Change
from monitor.errors import StructureChanged
from monitor.events import Event, Treaty, make_event, record_changed
from monitor.records import Record
from monitor.sources.base import Part
from monitor.treaties import CatalogueEntry, RecordsOf, StatusRow, TreatyStatus

FIELDS = ("state", "signature", "consent", "action", "entry_into_force", "denunciation", "denunciation_effective",
          "reservation", "status", "note")
"""The fields of a party record, every depositary alike (ISO dates; `action` names the consent)."""

DATED = {"signature": ("signature", "Signature"), "consent": ("ratification", "Ratification"),
         "entry_into_force": ("entry_into_force", "Entry into force")}
"""Record field -> (event type, label) for the dates that are treaty actions of their own."""

DENUNCIATION = ("denunciation", "denunciation_effective")


@dataclass(frozen=True)
class TreatyContext:
    """What the event rules know of one part (one treaty): the treaty as events name it, and
    what the depositary says about how a denunciation's effective date was found."""

    treaty: Treaty
    effective_basis: str | None = None
    """Set when the effective date of a denunciation is inferred (e.g. from a notice period)."""
    facts: tuple[tuple[str, str], ...] = field(default=())


def party_record(part: str, state: str, fields: dict[str, str | None], title: str | None,
                 url: str | None) -> Record:
    """The record of one state's row of treaty `part` (keyed "<part>:party:<state>")."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown party fields {sorted(unknown)}")
    return Record(f"{part}:party:{state}", {name: fields.get(name) for name in FIELDS} | {"state": state},
                  title=title, url=url)


def party_events(source: str, change: Change, context: TreatyContext, detected_at: str) -> list[Event]:
    """The events of one party record change: each action date that appears, a denunciation with
    its effective date, a reservation, corrections as `record_changed`."""
    record = change.new or change.old
    assert record is not None
    treaty = context.treaty
    state = record.fields.get("state") or record.key.rpartition(":")[2]
    about = dict(subject=state, url=treaty.url, treaty=treaty, detected_at=detected_at)
    name = treaty.title or treaty.id or "the treaty"
    if change.kind == "removed":
        return [make_event(source, change.key, "record_removed", (record.fingerprint(),),
                           title=f"No longer listed: {state} — {name}",
                           summary=f"{state} is no longer listed as a party to {name}.",
                           details={"fields": record.fields}, **about)]
    old = change.old.fields if change.old else {}
    new = record.fields
    events: list[Event] = []
    handled = set(DATED) | set(DENUNCIATION) | {"reservation"}
    for key, (event_type, label) in DATED.items():
        before, after = old.get(key), new.get(key)
        if after and not before:
            events.append(make_event(source, change.key, event_type, (after,), title=f"{label}: {state} — {name}",
                                     summary=_summary(event_type, state, name, after, new.get("action")),
                                     date=after, details={"fields": new, "field": key, "old": before, "new": after},
                                     **about))
            if key == "consent":
                handled.add("action")  # the kind of consent comes with its date
        elif before != after and change.kind == "changed":
            handled.discard(key)
    notified, effective = new.get("denunciation"), new.get("denunciation_effective")
    if not (old.get("denunciation") or old.get("denunciation_effective")) and (notified or effective):
        events.append(_denunciation(source, change, context, state, name, notified, effective, about))
        # The row as the depositary shows it once denounced (a new status or note, dates it no
        # longer repeats) is part of that alert, not a correction of its own.
        events[-1].details["changed"] = {k: {"old": a, "new": b} for k, (a, b) in change.fields.items()}
        handled |= set(change.fields)
    elif any(old.get(f) != new.get(f) for f in DENUNCIATION) and change.kind == "changed":
        handled -= set(DENUNCIATION)
    if new.get("reservation") and not old.get("reservation"):
        events.append(make_event(source, change.key, "reservation", (new["reservation"],),
                                 title=f"Reservation: {state} — {name}",
                                 summary=f"{state} made a reservation or declaration to {name}.",
                                 details={"fields": new}, **about))
    elif old.get("reservation") != new.get("reservation") and change.kind == "changed":
        handled.discard("reservation")
    rest = {key: (old_value, new_value) for key, (old_value, new_value) in change.fields.items()
            if key not in handled}
    if change.kind == "changed" and rest:
        listed = "; ".join(f"{key}: {a or 'none'} → {b or 'none'}" for key, (a, b) in sorted(rest.items()))
        events.append(record_changed(source, change.key, rest, details={"fields": new},
                                     title=f"Party table corrected: {state} — {name}",
                                     summary=f"The party table of {name} changed for {state}: {listed}.", **about))
    if change.kind == "added" and not events:
        events.append(make_event(source, change.key, "record_added", (record.fingerprint(),),
                                 title=f"Listed: {state} — {name}",
                                 summary=f"{state} now appears in the party table of {name}, with no action dated.",
                                 details={"fields": new}, **about))
    return events


def _denunciation(source: str, change: Change, context: TreatyContext, state: str, name: str,
                  notified: str | None, effective: str | None, about: dict[str, Any]) -> Event:
    summary = f"{state} denounced {name}" + (f" on {notified}" if notified else "")
    summary += f"; the denunciation takes effect on {effective}." if effective else "."
    note = (change.new.fields if change.new else {}).get("note")
    if note:
        summary += f" ({note})"
    details: dict[str, Any] = {"fields": change.new.fields if change.new else {}, "denunciation": notified,
                               "denunciation_effective": effective}
    if effective and context.effective_basis:
        details["effective_date_basis"] = context.effective_basis
    return make_event(source, change.key, "denunciation", (notified or effective,),
                      title=f"Denunciation: {state} — {name}", summary=summary, date=notified,
                      effective_date=effective, details=details, **about)


def _summary(event_type: str, state: str, name: str, date: str, action: str | None) -> str:
    if event_type == "signature":
        return f"{state} signed {name} on {date}."
    if event_type == "ratification":
        return f"{state} expressed its consent to be bound by {name} ({action or 'ratification'}) on {date}."
    return f"{name} entered into force for {state} on {date}."


def status_table(treaty: str, records_of: RecordsOf, memo: dict[str, Any]) -> TreatyStatus | None:
    """The dashboard's table of treaty `treaty` (a part name) from its party records."""
    records = [r for r in records_of(treaty) if ":party:" in r.key]
    if not records:
        return None
    rows = []
    for record in records:
        fields = record.fields
        notes = [text for text in (fields.get("status"), fields.get("note")) if text]
        if fields.get("reservation"):
            notes.append("reservations or declarations")
        rows.append(StatusRow(participant=fields.get("state") or record.key, signature=fields.get("signature"),
                              consent=fields.get("consent"), action=fields.get("action"),
                              entry_into_force=fields.get("entry_into_force"),
                              denunciation=fields.get("denunciation"),
                              denunciation_effective=fields.get("denunciation_effective"), notes=notes))
    rows.sort(key=lambda row: row.participant.lower())
    first = records[0]
    title = next((r.title for r in records if r.title), None) or treaty
    return TreatyStatus(treaty=treaty, title=title, url=first.url, rows=rows)


def catalogue_entries(parts: list[Part], catalogue: str) -> list[CatalogueEntry]:
    """One entry per treaty a check parsed, from the treaty `collect` put on its part."""
    entries = []
    for part in parts:
        if isinstance(part.context, TreatyContext) and part.context.treaty.title and not part.error:
            treaty = part.context.treaty
            entries.append(CatalogueEntry(id=treaty.id or part.name, catalogue=catalogue, number=part.name,
                                          title_en=treaty.title, url=treaty.url))
    return entries


def add_months(day: str, months: int) -> str:
    """An ISO date `months` later (the last day of a shorter month when the day does not exist)."""
    start = date.fromisoformat(day)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1])).isoformat()


def require_rows(rows: list[Any], where: str) -> None:
    """A party table with no row is a failure, never "every state left"."""
    if not rows:
        raise StructureChanged(f"{where}: no party rows found (empty, truncated or a new page shape)")
