"""Pure parser of a Hague Conference status table (print view) into party records."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.errors import StructureChanged
from monitor.records import Record, clean_text
from monitor.sources.dates import ENGLISH_MONTHS, day_month_year
from monitor.sources.hcch.reference import ROMAN, TYPES, column
from monitor.sources.headed import heading, html_root, named_rows
from monitor.sources.parties import party_record, require_rows

_ROMAN_DATE = re.compile(r"^(\d{1,2})-([IVX]{1,4})-(\d{4})$")
_WORDS_DATE = r"(\d{1,2} (?:%s) \d{4})" % "|".join(m.capitalize() for m in ENGLISH_MONTHS)
_DENOUNCED = r"{state} denounced the (?:Convention|Protocol|Statute) on " + _WORDS_DATE + \
    r"(?: \(effective (?:from|on|as of) " + _WORDS_DATE + r"\))?"
_CONSENTED = r"(ratified|accepted|approved|acceded to|succeeded to) by {state} on " + _WORDS_DATE + \
    r"(?: \(entry into force: " + _WORDS_DATE + r"\))?"


VERBS = {"ratified": "ratification", "accepted": "acceptance", "approved": "approval", "acceded to": "accession",
         "succeeded to": "succession"}


@dataclass(frozen=True)
class StatusTable:
    """A convention's title and its party rows."""

    title: str
    records: list[Record]


def roman_date(value: str | None, where: str) -> str | None:
    """`23-X-1956` as `1956-10-23`; an empty cell as None; other text is a failure."""
    text = clean_text(value)
    if not text:
        return None
    match = _ROMAN_DATE.match(text.rstrip("*"))
    if not match or match[2] not in ROMAN:
        raise StructureChanged(f"{where}: {text!r} is not a day-ROMAN-year date")
    return f"{match[3]}-{ROMAN[match[2]]:02d}-{int(match[1]):02d}"


def words_date(value: str) -> str:
    """`23 October 1956` as `1956-10-23`; anything else is a failure."""
    found = day_month_year(*value.split()) if len(value.split()) == 3 else None
    if found is None:
        raise StructureChanged(f"{value!r} is not a date")
    return found


def parse_status_table(text: str, cid: int, url: str, where: str) -> StatusTable:
    """Every table whose header names "Contracting Party", read by header name; the sentences
    below give a denunciation's dates and its effect."""
    root = html_root(text, where)
    title = heading(root) or f"HCCH convention (cid {cid})"
    rows = named_rows(root, column, "no status table (no header \"Contracting Party\"): maintenance page or a new "
                      "page shape?", where)
    prose = " ".join(root.text_content().split())
    records = []
    for cells in rows:
        values = {f: clean_text(c.text_content()) for f, c in cells.items()}
        state = values.get("state")
        if not state:
            raise StructureChanged(f"{where}: a row without a Contracting Party")
        records.append(party_record(str(cid), state, _fields(values, state, prose, f"{where}, {state}"), title, url))
    require_rows(records, where)
    return StatusTable(title, records)


def _fields(values: dict[str, str | None], state: str, prose: str, where: str) -> dict[str, str | None]:
    code = (values.get("type") or "").strip()
    if code and code not in TYPES and code.rstrip("*") not in TYPES:
        raise StructureChanged(f"{where}: unknown Type {code!r} (known: {', '.join(TYPES)})")
    fields: dict[str, str | None] = {
        "signature": roman_date(values.get("signature"), where), "consent": roman_date(values.get("consent"), where),
        "action": TYPES.get(code) or TYPES.get(code.rstrip("*")),
        "entry_into_force": roman_date(values.get("entry_into_force"), where),
        "reservation": values.get("reservation"),
        "note": "; ".join(f"{label} {values[key]}" for key, label in (("extensions", "extensions:"),
                                                                        ("authorities", "authorities:"))
                          if values.get(key)) or None}
    if code == "Den":
        named = re.escape(state)
        denounced = re.search(_DENOUNCED.replace("{state}", named), prose)
        if not denounced:
            raise StructureChanged(f"{where}: marked Den, but no sentence says when {state} denounced")
        fields["denunciation"] = words_date(denounced[1])
        fields["denunciation_effective"] = words_date(denounced[2]) if denounced[2] else None
        consented = re.search(_CONSENTED.replace("{state}", named), prose)
        fields["action"] = None
        if consented and not fields["consent"]:
            fields["consent"], fields["action"] = words_date(consented[2]), VERBS[consented[1]]
            fields["entry_into_force"] = fields["entry_into_force"] or (words_date(consented[3]) if consented[3]
                                                                        else None)
    return fields
