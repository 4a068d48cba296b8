"""The `untc` event rules: actions on a participant's row, withdrawal and reservation notes, entry into force."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from monitor.diff import Change
from monitor.events import Event, Treaty, make_event, record_changed
from monitor.sources.untc.cells import clean_name, first_date
from monitor.sources.untc.withdrawals import is_withdrawal, withdrawal_dates


@dataclass(frozen=True)
class TreatyContext:
    """What the event rules know about one part (one treaty) of an `untc` source, its
    `Part.context`: the treaty, and whether this is the treaty's first check since participant
    names lose their footnote markers (see `_upgrade_noise`)."""

    treaty: Treaty
    upgrading: bool = False
    notices: tuple[dict[str, Any], ...] = ()
    """The depositary notifications (C.N.s) raised for this treaty whose status change is
    awaited: that change takes the C.N.'s event id (see `notices.adopt`)."""


def change_events(source: str, change: Change, treaty: Treaty, detected_at: str, *,
                  upgrading: bool = False) -> list[Event]:
    """The events of one record change of `treaty`. `upgrading`: the treaty's first check since
    participant names lose their footnote markers (see `_upgrade_noise`)."""
    record = change.new or change.old
    assert record is not None
    ref, _, rest = record.key.partition(":")
    what = rest.partition(":")[0]
    base = dict(title=treaty.title or ref, url=treaty.url, treaty=treaty, detected_at=detected_at)
    if upgrading and _upgrade_noise(change, what):
        return []
    if what == "participant":
        return _participant_events(source, change, base)
    if what == "note":
        if change.kind == "added":
            return _note_events(source, change, ref, base)
        # A note's text is its identity; a changed text here is a reworded withdrawal note.
        # Who it is filed under, or whether its row was in this fetch, is no news.
        return _changed(source, change, base, {"text": change.fields["text"]}) if "text" in change.fields else []
    if what == "treaty":
        return _treaty_events(source, change, base)
    return _changed(source, change, base)


def _participant_events(source: str, change: Change, base: dict[str, Any]) -> list[Event]:
    record = change.new or change.old
    assert record is not None
    name = record.fields.get("participant")
    if change.kind == "removed":
        if name and clean_name(name) != name:
            return []  # a key that still held a footnote marker: the participant is listed clean
        return [make_event(source, change.key, "record_removed", (record.fingerprint(),), subject=name,
                           summary=f"{name} is no longer listed", details={"fields": record.fields}, **base)]
    old = change.old.fields if change.old else {}
    new = record.fields
    # Actions already on the row (a main date or a bracketed one) are not news when they move
    # between the two: "3 Sep 2016 A [20 Jan 2021 A]" -> "[20 Jan 2021 A]" is no new action.
    known = _actions(old)
    events: list[Event] = []
    for role, date, action, main in _actions_list(new):
        if (role, date) in known or (main and not _later(old.get(role), date)):
            continue
        known.add((role, date))
        event_type = "signature" if role == "signature" else "ratification"
        events.append(_action(source, change.key, name, event_type, action, date, base))
    # Markers are kept to read notes by, but a marker that appears, grows or moves is no news.
    # A main date is explained when it was already on the row, or when the old one still is
    # (in brackets): only a real correction of a date is a change worth recording.
    on_row = _actions(new)
    explained = {"history", "markers"} | {role for role in ("signature", "consent")
                                          if (role, new.get(role)) in known or (role, old.get(role)) in on_row}
    if "consent" in explained:
        explained.add("consent_action")
    rest = {k: v for k, v in change.fields.items() if k not in ("title", "url") and k not in explained}
    if change.kind == "changed" and rest:
        events += _changed(source, change, base, rest)
    return events


def _action(source: str, key: str, name: str | None, event_type: str, action: str, date: str,
            base: dict[str, Any]) -> Event:
    words = action.replace("_", " ")
    return make_event(source, key, event_type, (date,), subject=name,
                      summary=f"{name}: {words} on {date} ({base['title']})", date=date,
                      details={"action": action}, **base)


def _note_events(source: str, change: Change, ref: str, base: dict[str, Any]) -> list[Event]:
    record = change.new
    assert record is not None
    text = record.fields.get("text") or ""
    kind = record.fields.get("kind")
    participant = record.fields.get("participant")
    details = {"kind": kind, "text": text}
    if is_withdrawal(text):
        notified, effective = withdrawal_dates(text)
        key = f"{ref}:participant:{participant}" if participant else change.key
        return [make_event(source, change.key, "denunciation", (notified,), id_key=key,
                           subject=participant, date=notified, effective_date=effective,
                           summary=f"{participant or 'A participant'}: withdrawal notified on {notified or '?'}"
                                   f", effective {effective or '?'} ({base['title']})",
                           details={**details, "action": "withdrawal"}, **base)]
    if kind in ("declaration", "objection") or re.search(r"\breservations?\b|\bdeclarations?\b|"
                                                          r"\bobjections?\b", text, re.I):
        return [make_event(source, change.key, "reservation", subject=participant, date=first_date(text),
                           summary=f"{participant or 'Note'}: new {kind} ({base['title']})",
                           details={**details, "action": kind}, **base)]
    return [make_event(source, change.key, "record_changed", ("added",), subject=participant,
                       summary=f"new {kind} ({base['title']})", details=details, **base)]


def _treaty_events(source: str, change: Change, base: dict[str, Any]) -> list[Event]:
    if change.kind != "changed":
        return []
    eif = change.fields.get("entry_into_force")
    events = []
    if eif and eif[1] and not (eif[0] and first_date(eif[0])):
        date = first_date(eif[1])
        events.append(make_event(source, change.key, "entry_into_force", (date or eif[1],), date=date,
                                 summary=f"entry into force: {eif[1]}", details={"text": eif[1]}, **base))
    rest = {k: v for k, v in change.fields.items() if k not in ("signatories", "parties", "title", "url",
                                                                "registration", "concluded")
            and not (k == "entry_into_force" and events)}
    return events + (_changed(source, change, base, rest) if rest else [])


def _changed(source: str, change: Change, base: dict[str, Any],
             fields: dict[str, tuple[str | None, str | None]] | None = None) -> list[Event]:
    fields = change.fields if fields is None else fields
    fields = {k: v for k, v in fields.items() if k not in ("title", "url")}
    if not fields:
        return []
    record = change.new or change.old
    assert record is not None
    return [record_changed(source, change.key, fields, subject=record.fields.get("participant"), **base)]


def _later(old: str | None, new: str | None) -> str | None:
    """The new date when it is a new action: none before, or later than before (a corrected
    earlier date is not a new action)."""
    if new and (not old or new > old):
        return new
    return None


def _actions_list(fields: dict[str, str | None]) -> list[tuple[str, str, str, bool]]:
    """A participant's actions as (role, date, action, is_main): the main dates, then the bracketed."""
    out = [(role, fields[role], (fields.get("consent_action") if role == "consent" else "signature")
            or "ratification", True) for role in ("signature", "consent") if fields.get(role)]
    for entry in filter(None, (fields.get("history") or "").split("; ")):
        role, date, action = entry.split(" ", 2)
        out.append((role, date, action, False))
    return out  # type: ignore[return-value]


def _actions(fields: dict[str, str | None]) -> set[tuple[str, str]]:
    return {(role, date) for role, date, _, _ in _actions_list(fields)}


def _upgrade_noise(change: Change, what: str) -> bool:
    """On a treaty's first check since participant names lose their footnote markers (and its
    metadata is read by element name), what only that reading changes: participants re-keyed
    under their clean name, notes re-keyed by their clean text, metadata read for the first time.
    Withdrawals are kept: their event ids never depended on markers."""
    if what == "participant":
        return change.kind == "added" and bool((change.new.fields if change.new else {}).get("markers"))
    if what == "note":
        if change.kind == "added" and change.new is not None:
            return not is_withdrawal(change.new.fields.get("text") or "")
        return change.kind == "changed"  # e.g. an end note's number leaving its text
    return what == "treaty"
