"""UN Treaty Collection records: one parsed treaty document, whatever its format, as records."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from monitor.errors import StructureChanged
from monitor.records import Record, clean_text
from monitor.sources.untc.cells import (
    FOOTNOTES_ONLY,
    MONTH,
    clean_name,
    column_roles,
    inline_markers,
    parse_cell,
    split_markers,
    strip_markers,
)
from monitor.sources.untc.withdrawals import (
    is_withdrawal,
    match_participant,
    named_actor,
    withdrawal_actor,
    withdrawal_dates,
)


@dataclass
class Row:
    """One participants-table row as text; markers found outside the text (child elements,
    `<sup>`) in `markers`, markers inside the text are taken out when the row is read."""

    cells: list[str]
    markers: list[str] = field(default_factory=list)


@dataclass
class RawNote:
    """A note paragraph: its text, its kind, and the participant it is filed under, if any."""

    text: str
    kind: str
    participant: str | None = None


@dataclass
class Parsed:
    """Everything read from one treaty document, whichever format it came in."""

    title: str | None
    header: list[str]
    rows: list[Row]
    notes: list[RawNote]
    eif: str | None
    signatories: str | None
    parties: str | None
    registration: str | None = None
    concluded: str | None = None
    """Place and date of conclusion, as written."""


_NUMBERED = re.compile(rf"^\s*(\d{{1,3}})\s*[.)]?\s+(?!(?:{MONTH})\b)(?=\S)", re.I)
_TITLE_NUMBER = re.compile(r"^\s*\d+\s*\.\s*")


def build_records(ref: str, parsed: Parsed, where: str, url: str, fallback_title: str | None) -> list[Record]:
    """Turn a parsed treaty document into participant, note and treaty records. A participant's
    key is its name without footnote markers, so a marker that appears, grows ("5,6" ->
    "5,6,8") or moves changes only the record's `markers` field."""
    roles = column_roles(parsed.header, where)
    title = clean_text(_TITLE_NUMBER.sub("", strip_markers(parsed.title or ""))) or fallback_title
    records: list[Record] = []
    owners: dict[str, set[str]] = {}
    names: list[str] = []
    for row in parsed.rows:
        if len(row.cells) > len(roles):
            raise StructureChanged(f"{where}: a participants row has {len(row.cells)} cells, the header "
                                   f"{len(roles)}: {[clean_text(c) for c in row.cells]}")
        name, found = split_markers(row.cells[0]) if row.cells else ("", [])
        markers = list(dict.fromkeys(row.markers + found))
        if not name:
            if any(clean_text(inline_markers(c)) for c in row.cells):
                raise StructureChanged(f"{where}: a participants row has no participant name: {row.cells!r}")
            continue
        names.append(name)
        for marker in markers:
            owners.setdefault(marker, set()).add(name)
        fields: dict[str, str | None] = {"participant": name, "signature": None, "consent": None,
                                          "consent_action": None, "history": None,
                                          "markers": ",".join(markers) or None}
        history = []
        for role, text in zip(roles[1:], row.cells[1:], strict=False):
            cell = parse_cell(text, f"{where}, {name}")
            current = cell.current
            if current and not fields.get(role):
                fields[role] = current.date
                if role == "consent":
                    fields["consent_action"] = current.action
            history += [f"{role} {a.date} {a.action}" for a in cell.history]
        fields["history"] = "; ".join(history) or None
        records.append(Record(f"{ref}:participant:{name}", fields, title, url))
    if not names:
        raise StructureChanged(f"{where}: the participants table has no rows")
    for note in parsed.notes:
        record = note_record(ref, note, names, owners, title, url)
        if record is not None:
            records.append(record)
    records.append(Record(f"{ref}:treaty", {
        "title": title, "signatories": parsed.signatories, "parties": parsed.parties,
        "entry_into_force": clean_text(strip_markers(parsed.eif or "")),
        "registration": clean_text(strip_markers(parsed.registration or "")),
        "concluded": clean_text(strip_markers(parsed.concluded or ""))}, title, url))
    return records


def note_record(ref: str, note: RawNote, names: list[str], owners: dict[str, set[str]],
                title: str | None, url: str) -> Record | None:
    """One note as a record. Its key names the participant only when the document files the note
    under it (declarations…) or the text itself says who withdrew, so a footnote keeps its key
    when the row that refers to it is missing from one fetch."""
    text, kind = inline_markers(note.text), note.kind
    referenced = None
    number = _NUMBERED.match(text) if kind == "endnote" else None
    if number:
        text, kind = text[number.end():], "footnote"
        holders = owners.get(number.group(1), set())
        referenced = next(iter(holders)) if len(holders) == 1 else None
    text = clean_text(text) or ""
    if not text or FOOTNOTES_ONLY.match(text):
        return None
    owner = (match_participant(note.participant, names) or clean_name(note.participant)) if note.participant else None
    identity = text
    if is_withdrawal(text):
        owner = withdrawal_actor(text, names) or owner or named_actor(text) or referenced
        notified = withdrawal_dates(text)[0]
        if notified:
            # One withdrawal, one record: a reworded note ("will take effect" -> "took effect") is a
            # change of this record, not a new withdrawal.
            identity = f"withdrawal {owner} {notified}"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
    return Record(f"{ref}:note:{owner or '-'}:{digest}",
                  {"participant": owner or referenced, "text": text, "kind": kind}, title, url)
