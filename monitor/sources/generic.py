"""Events of the generic kinds (html, json, feed): keyword rules, treaty context, readable titles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..classify import action_words, classify
from ..diff import Change
from ..events import Event, Treaty, changed_fields, make_event, record_changed

MAX_SHOWN_CHANGES = 3
"""Changed fields named in a built title; the payload's `changes` always has them all."""


@dataclass(frozen=True)
class EventContext:
    """What a source's settings add to each of its events."""

    treaty: Treaty | None = None
    date_format: str | None = None
    url: str | None = None
    """The source's own page: the link of last resort."""


def generic_events(source: str, change: Change, detected_at: str,
                   context: EventContext = EventContext()) -> list[Event]:
    """Keyword classification (EN/RU/FR) of a record change, falling back to record_* types.

    A new record whose fields already carry an action (a "denunciation" column with a date)
    raises that action, as a changed record gaining it would, and with the same id."""
    record = change.new or change.old
    assert record is not None
    known = context.treaty is not None

    def about(changes: dict[str, tuple[str | None, str | None]], date: str | None = None) -> dict[str, Any]:
        return dict(subject=record.fields.get("subject") or change.key,
                    title=record.title or built_title(source, change.key, change.kind, changes),
                    url=record.url or context.url, date=iso_date(date, context.date_format),
                    treaty=context.treaty, detected_at=detected_at)

    def make(event_type: str, identity: tuple, changes: dict[str, tuple[str | None, str | None]],
             date: str | None = None, details: dict[str, Any] | None = None) -> Event:
        return make_event(source, change.key, event_type, identity,
                          details={**(details or {}), "changed": changed_fields(changes)}, **about(changes, date))

    if change.kind == "removed":
        return [make("record_removed", (record.fingerprint(),), {},
                     details={"fields": record.fields})]
    if change.kind == "added":
        events = []
        for name, value in record.fields.items():
            event_type, action = _by_name(name, None, value)
            if event_type:
                events.append(make(event_type, (action, name, value), {name: (None, value)}, date=value,
                                   details={"action": action, "field": name, "fields": record.fields}))
        if events:
            return events
        event_type, action = classify(record.text(), known)
        if event_type:
            return [make(event_type, (action,), {}, date=record.fields.get("date"),
                         details={"action": action, "fields": record.fields})]
        return [make("record_added", (record.fingerprint(),), {}, details={"fields": record.fields})]
    events, rest = [], {}
    for name, (old, new) in change.fields.items():
        event_type, action = _by_name(name, old, new)
        by_name = event_type is not None
        if not by_name:
            event_type, action = _by_value(old, new, known)
        if event_type:
            events.append(make(event_type, (action, name, new), {name: (old, new)},
                               date=new if by_name else _dated(new, context.date_format),
                               details={"action": action, "field": name, "old": old, "new": new}))
        else:
            rest[name] = (old, new)
    if rest:
        events.append(record_changed(source, change.key, rest, **about(rest)))
    return events


def _by_name(name: str, old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """A field named like an action (a "Ratification" column) that gains a value is that action."""
    if new and not old and name not in ("title", "url", "subject"):
        return action_words(name.replace("_", " "))
    return None, None


def _by_value(old: str | None, new: str | None, known: bool) -> tuple[str | None, str | None]:
    """A value whose own words newly name an action (e.g. "Signed" -> "Ratified")."""
    by_value = classify(new, known)
    if by_value[0] and classify(old, known)[0] != by_value[0]:
        return by_value
    return None, None


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


# --- dates ---------------------------------------------------------------------------------

_DIRECTIVES = {"d": r"\d{1,2}", "m": r"\d{1,2}", "Y": r"\d{4}", "y": r"\d{2}", "b": r"[^\W\d_]{3,}\.?",
               "B": r"[^\W\d_]{3,}", "H": r"\d{1,2}", "M": r"\d{2}", "S": r"\d{2}", "j": r"\d{1,3}",
               "e": r"\d{1,2}", "a": r"[^\W\d_]+", "A": r"[^\W\d_]+", "p": r"[AaPp][Mm]", "%": "%"}


@lru_cache(maxsize=64)
def _date_pattern(date_format: str) -> re.Pattern[str]:
    """A regex that finds a date written in `date_format` inside a longer text."""
    out, i = [], 0
    while i < len(date_format):
        char = date_format[i]
        if char == "%" and i + 1 < len(date_format):
            out.append(_DIRECTIVES.get(date_format[i + 1], r"\S+"))
            i += 2
            continue
        out.append(r"\s+" if char.isspace() else re.escape(char))
        i += 1
    return re.compile(r"(?<!\d)" + "".join(out) + r"(?!\d)")


def parse_date(text: str | None, date_format: str) -> str | None:
    """The first date written in `date_format` in `text`, as an ISO date, or None."""
    if not text:
        return None
    for found in _date_pattern(date_format).finditer(text):
        try:
            return datetime.strptime(" ".join(found.group(0).split()), " ".join(date_format.split())).date().isoformat()
        except ValueError:
            continue
    return None


def iso_date(value: str | None, date_format: str | None) -> str | None:
    """A portal's date as an ISO date when `date_format` reads it; otherwise as given."""
    if value is None or not date_format:
        return value
    return parse_date(value, date_format) or value


def _dated(value: str | None, date_format: str | None) -> str | None:
    """The date inside a value such as "Denunciation, 01/11/2026", when a format is set."""
    return parse_date(value, date_format) if date_format else None


def context_of(options: Any) -> EventContext:
    """The event context a generic source's typed options give (`treaty`, `date_format`, `url`)."""
    treaty = options.treaty
    return EventContext(Treaty(**treaty) if treaty else None, options.date_format, options.url)

