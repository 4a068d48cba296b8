"""The `untc` kind: status of multilateral treaties deposited with the UN Secretary-General."""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

from ... import options as o
from ...clock import utcnow
from ...config import SourceConfig
from ...context import SourceContext
from ...diff import Change
from ...events import Event, Treaty
from ...options import Option
from ..base import Part, Source, make_event, part_or_error, record_changed
from .cells import clean_name, first_date
from .html import parse_html
from .index import (CHAPTER_INDEX, CORE_TREATIES, LAST_CHAPTER_OF_VOLUME_I, LETTERS, ROMAN, chapter_of,
                         chapters_option, index_refs, lettered_due, lettered_known, remember_lettered,
                         treaties_option)
from .records import build_records
from .withdrawals import is_withdrawal, withdrawal_dates
from .xml import parse_xml

log = logging.getLogger("monitor.sources.untc")

# --- the source ---------------------------------------------------------------------------

class UntcSource(Source):
    """One part per treaty: participants, notes (footnotes, end notes, declarations,
    objections, notifications) and the treaty's status, from the MTDSG XML or, when that is
    missing, from the ViewDetails page."""

    kind: ClassVar[str] = "untc"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, "https://treaties.un.org", help="the UN Treaty Collection site"),
        "treaties": Option(treaties_option, CORE_TREATIES,
                           help='MTDSG references such as "IV-4", or "all" (chapter index and lettered instruments)'),
        "chapters": Option(chapters_option, [],
                           help='chapter numbers such as [4], or "all" (with their lettered instruments)'),
    }
    defaults: ClassVar[dict[str, Any]] = {"interval": 12 * 3600.0, "host_concurrency": 1, "host_delay": 1.0}
    error_markers: ClassVar[tuple[str, ...]] = ("urgent maintenance and is currently unavailable",)

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        self.titles: dict[str, str | None] = {}
        self._upgrading: set[str] = set()

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        if not config.options["treaties"] and not config.options["chapters"]:
            return ['treaties: name at least one treaty (e.g. ["IV-4"]), or set chapters']
        return []

    def roots(self) -> list[str]:
        """The chapter-index treaties whose lettered instruments are watched too."""
        options = self.config.options
        if options["treaties"] == "all" or options["chapters"] == "all":
            return index_refs(sorted(CHAPTER_INDEX))
        return index_refs(options["chapters"])

    def refs(self) -> list[str]:
        """The configured references, in config order, without repeats (lettered instruments
        found by probing come on top of these)."""
        options = self.config.options
        named = [] if options["treaties"] == "all" else options["treaties"]
        return list(dict.fromkeys(named + self.roots()))

    def describe(self) -> str:
        refs = self.refs()
        shown = ", ".join(refs[:6]) + (f" and {len(refs) - 6} more" if len(refs) > 6 else "")
        return f"{shown} at {self.config.options['base_url']}"

    def xml_url(self, ref: str) -> str:
        chapter = chapter_of(ref)
        volume = "I" if chapter <= LAST_CHAPTER_OF_VOLUME_I else "II"
        base = self.config.options["base_url"]
        return f"{base}/doc/Publication/MTDSG/Volume%20{volume}/Chapter%20{ROMAN[chapter]}/{ref}.en.xml"

    def page_url(self, ref: str) -> str:
        base = self.config.options["base_url"]
        return f"{base}/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={ref}&chapter={chapter_of(ref)}&clang=_en"

    async def collect(self, ctx: SourceContext) -> list[Part]:
        # One treaty that fails (an odd cell, a 500) does not hold back the others.
        roots = set(self.roots())
        # Treaties first read since participant names lose their footnote markers: their
        # records may change keys once, and that is no news (see `events`).
        aware = set(ctx.memo.get("marker_free_keys") or [])
        parts: list[Part] = []
        done: set[str] = set()
        for ref in self.refs():
            if ref not in done:
                done.add(ref)
                parts += await part_or_error(ctx, ref, self.collect_treaty(ctx, ref))
            if ref in roots:
                parts += await self._collect_lettered(ctx, ref, done)
        good = {p.name for p in parts if not p.error}
        self._upgrading = good - aware
        ctx.memo["marker_free_keys"] = sorted(aware | good)
        return parts

    async def _collect_lettered(self, ctx: SourceContext, root: str, done: set[str]) -> list[Part]:
        """The lettered instruments of `root`: those found by the last probe, or, once a week, a
        new probe (REF-a, REF-b, … up to the first 404; each probe is the instrument's fetch)."""
        known = lettered_known(ctx.memo, root)
        parts: list[Part] = []
        if lettered_due(ctx.memo, root):
            found: list[str] = []
            for letter in LETTERS:
                ref = f"{root}-{letter}"
                if ref in done:  # named in `treaties` and fetched already this check
                    found.append(ref)
                    continue
                probe = await part_or_error(ctx, ref, self.collect_treaty(ctx, ref, probe=True))
                done.add(ref)
                if not probe:  # the first 404: no more lettered instruments
                    remember_lettered(ctx.memo, root, found, utcnow())
                    log.debug("%s: %s has %d lettered instruments%s", self.name, root, len(found),
                              f" ({', '.join(found)})" if found else "")
                    break
                parts += probe
                if probe[0].error:  # unknown whether more exist: probe again next check
                    break
                found.append(ref)
        for ref in known:
            if ref not in done:
                done.add(ref)
                parts += await part_or_error(ctx, ref, self.collect_treaty(ctx, ref))
        return parts

    async def collect_treaty(self, ctx: SourceContext, ref: str, probe: bool = False) -> list[Part]:
        """One treaty from its XML file or, when that is missing, its ViewDetails page. A probe
        for a lettered instrument returns no part when the XML file is missing."""
        url = self.xml_url(ref)
        document = await ctx.get(url, accept=(404,), encoding="iso-8859-1")
        if document.status == 404:
            if probe:
                return []
            url = self.page_url(ref)
            document = await ctx.get(url)
            parser = parse_html
        else:
            parser = parse_xml
        if not document.changed:
            return [Part(ref, records=None)]
        assert document.text is not None
        parsed = parser(document.text, f"{ref} ({url})")
        records = build_records(ref, parsed, f"{ref} ({url})", self.page_url(ref), None)
        self.titles[ref] = records[0].title
        # A treaty newly added to `treaties` (or newly found) starts silently: its table is history.
        return [Part(ref, records=records, baseline_if_new=True)]

    # --- events ---------------------------------------------------------------------------

    def events(self, change: Change, detected_at: str) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        ref, _, rest = record.key.partition(":")
        what = rest.partition(":")[0]
        treaty = Treaty(id=ref, title=record.title or self.titles.get(ref), url=self.page_url(ref))
        base = dict(title=treaty.title or ref, url=treaty.url, treaty=treaty, detected_at=detected_at)
        if ref in self._upgrading and _upgrade_noise(change, what):
            return []
        if what == "participant":
            return self._participant_events(change, base)
        if what == "note":
            if change.kind == "added":
                return self._note_events(change, ref, base)
            # A note's text is its identity; a changed text here is a reworded withdrawal note.
            # Who it is filed under, or whether its row was in this fetch, is no news.
            return self._changed(change, base, {"text": change.fields["text"]}) if "text" in change.fields else []
        if what == "treaty":
            return self._treaty_events(change, base)
        return self._changed(change, base)

    def _participant_events(self, change: Change, base: dict[str, Any]) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        name = record.fields.get("participant")
        if change.kind == "removed":
            if name and clean_name(name) != name:
                return []  # a key that still held a footnote marker: the participant is listed clean
            return [make_event(self.name, change.key, "record_removed", (record.fingerprint(),), subject=name,
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
            events.append(self._action(change.key, name, event_type, action, date, base))
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
            events += self._changed(change, base, rest)
        return events

    def _action(self, key: str, name: str | None, event_type: str, action: str, date: str,
                base: dict[str, Any]) -> Event:
        words = action.replace("_", " ")
        return make_event(self.name, key, event_type, (date,), subject=name,
                          summary=f"{name}: {words} on {date} ({base['title']})", date=date,
                          details={"action": action}, **base)

    def _note_events(self, change: Change, ref: str, base: dict[str, Any]) -> list[Event]:
        record = change.new
        assert record is not None
        text = record.fields.get("text") or ""
        kind = record.fields.get("kind")
        participant = record.fields.get("participant")
        details = {"kind": kind, "text": text}
        if is_withdrawal(text):
            notified, effective = withdrawal_dates(text)
            key = f"{ref}:participant:{participant}" if participant else change.key
            return [make_event(self.name, change.key, "denunciation", (notified,), id_key=key,
                               subject=participant, date=notified, effective_date=effective,
                               summary=f"{participant or 'A participant'}: withdrawal notified on {notified or '?'}"
                                       f", effective {effective or '?'} ({base['title']})",
                               details={**details, "action": "withdrawal"}, **base)]
        if kind in ("declaration", "objection") or re.search(r"\breservations?\b|\bdeclarations?\b|"
                                                              r"\bobjections?\b", text, re.I):
            return [make_event(self.name, change.key, "reservation", subject=participant, date=first_date(text),
                               summary=f"{participant or 'Note'}: new {kind} ({base['title']})",
                               details={**details, "action": kind}, **base)]
        return [make_event(self.name, change.key, "record_changed", ("added",), subject=participant,
                           summary=f"new {kind} ({base['title']})", details=details, **base)]

    def _treaty_events(self, change: Change, base: dict[str, Any]) -> list[Event]:
        if change.kind != "changed":
            return []
        eif = change.fields.get("entry_into_force")
        events = []
        if eif and eif[1] and not (eif[0] and first_date(eif[0])):
            date = first_date(eif[1])
            events.append(make_event(self.name, change.key, "entry_into_force", (date or eif[1],), date=date,
                                     summary=f"entry into force: {eif[1]}", details={"text": eif[1]}, **base))
        rest = {k: v for k, v in change.fields.items() if k not in ("signatories", "parties", "title", "url",
                                                                    "registration", "concluded")
                and not (k == "entry_into_force" and events)}
        return events + (self._changed(change, base, rest) if rest else [])

    def _changed(self, change: Change, base: dict[str, Any],
                 fields: dict[str, tuple[str | None, str | None]] | None = None) -> list[Event]:
        fields = change.fields if fields is None else fields
        fields = {k: v for k, v in fields.items() if k not in ("title", "url")}
        if not fields:
            return []
        record = change.new or change.old
        assert record is not None
        return [record_changed(self.name, change.key, fields, subject=record.fields.get("participant"), **base)]


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
