"""Events of the generic kinds (html, json, feed): keyword rules, treaty context, readable titles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.diff import Change
from monitor.events import Event, Treaty, changed_fields, make_event, record_changed
from monitor.records import Record
from monitor.sources.classify import action_words, classify
from monitor.sources.dates import NO_DATE, DateReading, read_date

MAX_SHOWN_CHANGES = 3
"""Changed fields named in a built title; the payload's `changes` always has them all."""

Fields = dict[str, tuple[str | None, str | None]]


@dataclass(frozen=True)
class EventContext:
    """What a source's settings add to each of its events."""

    treaty: Treaty | None = None
    date_format: str | None = None
    url: str | None = None
    """The source's own page: the link of last resort."""


@dataclass(frozen=True)
class Sighting:
    """One place of a record change that shows an action: a field named like it, or a value
    whose words name it."""

    event_type: str
    action: str
    field: str
    old: str | None
    new: str | None
    reading: DateReading
    details: dict[str, Any]


def generic_events(source: str, change: Change, detected_at: str,
                   context: EventContext = EventContext()) -> list[Event]:
    """Keyword classification (EN/RU/FR) of a record change, falling back to record_* types.

    A new record whose fields already carry an action (a "denunciation" column with a date)
    raises that action, as a changed record gaining it would, and with the same id. One
    change that shows the same action in several places (a dated column and a status text)
    is one event, carrying the best date (see `EventMaker.one_event`)."""
    record = change.new or change.old
    assert record is not None
    maker = EventMaker(source, change, detected_at, context, record)
    if change.kind == "removed":
        return [maker.make("record_removed", (record.fingerprint(),), {}, details={"fields": record.fields})]
    if change.kind == "added":
        return added_events(maker)
    return changed_events(maker)


@dataclass(frozen=True)
class EventMaker:
    """Makes the events of one record change: what each of them says of the record."""

    source: str
    change: Change
    detected_at: str
    context: EventContext
    record: Record
    """The record as it is now (as it was, when removed)."""

    def about(self, changes: Fields, reading: DateReading = NO_DATE) -> dict[str, Any]:
        """The fields of an event about this record: subject, title, link, date, treaty."""
        change, record = self.change, self.record
        return dict(subject=record.fields.get("subject") or change.key,
                    title=record.title or built_title(self.source, change.key, change.kind, changes),
                    url=record.url or self.context.url, date=reading.date, date_text=reading.text,
                    treaty=self.context.treaty, detected_at=self.detected_at)

    def make(self, event_type: str, identity: tuple, changes: Fields, reading: DateReading = NO_DATE,
             details: dict[str, Any] | None = None) -> Event:
        return make_event(self.source, self.change.key, event_type, identity,
                          details={**(details or {}), "changed": changed_fields(changes)},
                          **self.about(changes, reading))

    def one_event(self, sightings: list[Sighting]) -> Event:
        """The sightings of one action as one event: the id and date of the one with the best
        date (a date read beats a date as written, which beats none; the first on a tie),
        and every field that showed it among its changes."""
        best = max(sightings, key=lambda s: (s.reading.date is not None, s.reading.text is not None))
        return self.make(best.event_type, (best.action, best.field, best.new),
                         {s.field: (s.old, s.new) for s in sightings}, best.reading, best.details)


def added_events(maker: EventMaker) -> list[Event]:
    """A new record: the actions its fields carry (by a field's name), else the action its
    text names, else `record_added`."""
    record, date_format = maker.record, maker.context.date_format
    sightings = [Sighting(event_type, action, name, None, value, field_date(value, date_format),
                          {"action": action, "field": name, "fields": record.fields})
                 for name, value in record.fields.items()
                 for event_type, action in [_by_name(name, None, value)] if event_type]
    if sightings:
        return [maker.one_event(group) for group in by_type(sightings)]
    event_type, action = classify(record.text(), maker.context.treaty is not None)
    if event_type:
        return [maker.make(event_type, (action,), {}, read_date(record.fields.get("date"), date_format),
                           details={"action": action, "fields": record.fields})]
    return [maker.make("record_added", (record.fingerprint(),), {}, details={"fields": record.fields})]


def changed_events(maker: EventMaker) -> list[Event]:
    """A changed record: the actions its changed fields show (by name, else by value), and one
    `record_changed` for the fields that show none."""
    date_format, known = maker.context.date_format, maker.context.treaty is not None
    sightings, rest = [], {}
    for name, (old, new) in maker.change.fields.items():
        event_type, action = _by_name(name, old, new)
        if event_type:
            reading = field_date(new, date_format)
        else:
            event_type, action = _by_value(old, new, known)
            reading = _inner_date(new, date_format)
        if event_type:
            sightings.append(Sighting(event_type, action, name, old, new, reading,
                                      {"action": action, "field": name, "old": old, "new": new}))
        else:
            rest[name] = (old, new)
    events = [maker.one_event(group) for group in by_type(sightings)]
    if rest:
        events.append(record_changed(maker.source, maker.change.key, rest, **maker.about(rest)))
    return events


def by_type(sightings: list[Sighting]) -> list[list[Sighting]]:
    """The sightings grouped by event type, in the order each type was first seen."""
    groups: dict[str, list[Sighting]] = {}
    for sighting in sightings:
        groups.setdefault(sighting.event_type, []).append(sighting)
    return list(groups.values())


@lru_cache(maxsize=1024)
def field_action(name: str) -> tuple[str | None, str | None]:
    """The action a field's name gives it (a "Ratification" column), or (None, None); a
    config's few field names are each classified once."""
    if name in ("title", "url", "subject"):
        return None, None
    return action_words(name.replace("_", " "))


def _by_name(name: str, old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """A field named like an action (a "Ratification" column) that gains a value is that action."""
    if new and not old:
        return field_action(name)
    return None, None


def _by_value(old: str | None, new: str | None, known: bool) -> tuple[str | None, str | None]:
    """A value whose own words newly name an action (e.g. "Signed" -> "Ratified")."""
    by_value = classify(new, known)
    if by_value[0] and classify(old, known)[0] != by_value[0]:
        return by_value
    return None, None


def field_date(value: str | None, date_format: str | None) -> DateReading:
    """The date of an action field's value: read from it, and the whole value as written."""
    if not value:
        return NO_DATE
    reading = read_date(value, date_format)
    return DateReading(reading.date, value, reading.problem)


def _inner_date(value: str | None, date_format: str | None) -> DateReading:
    """The date inside a value such as "Denunciation, 01/11/2026"; none when it holds none."""
    reading = read_date(value, date_format)
    return reading if reading.text else NO_DATE


def date_note(name: str, value: str | None, date_format: str | None) -> str | None:
    """What `preview` shows beside an action field's value: the ISO date events will carry,
    or why they will carry none; None for other fields and for values with no date."""
    if not value or not field_action(name)[0]:
        return None
    reading = field_date(value, date_format)
    if reading.date:
        return f"→ {reading.date}"
    if date_format:
        return f"(no date: does not match date_format {date_format!r})"
    if reading.problem:
        return "(ambiguous date, kept as written: set date_format to read it)"
    return None


def unread_dates(records: list[Record], date_format: str | None) -> list[str]:
    """With `date_format` set, each non-empty action field that it cannot read, as
    "field 'ratification' of 'Spain': '25/12/2026' does not match date_format '%m/%d/%Y'"."""
    if not date_format:
        return []
    problems = []
    for record in records:
        for name, value in record.fields.items():
            if value and field_action(name)[0]:
                reading = read_date(value, date_format)
                if reading.date is None:
                    problems.append(f"field {name!r} of {record.key!r}: {reading.problem}")
    return problems


def built_title(source: str, key: str, kind: str, changes: dict[str, tuple[str | None, str | None]]) -> str:
    """E.g. `chart: Spain — note: "" → "Denunciation, 01/11/2026"` for a record with no title."""
    if kind == "removed":
        what = "no longer listed"
    elif changes:
        shown = [f"{name}: {_quoted(old)} → {_quoted(new)}" for name, (old, new) in list(changes.items())]
        what = "; ".join(shown[:MAX_SHOWN_CHANGES])
        if len(shown) > MAX_SHOWN_CHANGES:
            what += f"; and {len(shown) - MAX_SHOWN_CHANGES} more"
    else:
        what = "new record"
    return f"{source}: {key} — {what}"


def _quoted(value: str | None) -> str:
    return '"' + (value or "").replace('"', "'") + '"'


def context_of(options: Any) -> EventContext:
    """The event context a generic source's typed options give (`treaty`, `date_format`, `url`)."""
    treaty = options.treaty
    return EventContext(Treaty(**treaty) if treaty else None, options.date_format, options.url)

