"""Pure parser of a NORMLEX ratifications page (one convention) into party records."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.errors import StructureChanged
from monitor.records import Record, clean_text
from monitor.sources.headed import heading, html_root, named_rows
from monitor.sources.ilo.reference import AUTOMATIC, COLUMNS, DATE, DENOUNCED, STATUSES, iso
from monitor.sources.parties import add_months, party_record, require_rows

_DATE_CELL = re.compile(r"^" + DATE + r"$")


@dataclass(frozen=True)
class Ratifications:
    title: str | None
    records: list[Record]


def parse_ratifications(text: str, code: str, url: str, where: str) -> Ratifications:
    """The table whose header names "Country", its columns by name; each row's country (its link),
    ratification date (`DD Mon YYYY`), status, and the denunciation its status or note reports."""
    root = html_root(text, where)
    title = heading(root)
    rows = named_rows(root, lambda header: COLUMNS.get(header.lower()), "no ratifications table (no header "
                      "\"Country\"): a block, login or maintenance page, or a new shape?", where)
    records = [_record(cells, code, title, url, where) for cells in rows]
    require_rows(records, where)
    return Ratifications(title, records)


def _record(cells: dict, code: str, title: str | None, url: str, where: str) -> Record:
    country = cells["state"]
    link = country.find(".//a")
    state = clean_text((link if link is not None else country).text_content())
    if not state:
        raise StructureChanged(f"{where}: a row without a country")
    # Besides its link, the country cell may carry a note (as working clients read it).
    extra = clean_text(country.text_content().replace(link.text_content(), "", 1)) if link is not None else None
    date = clean_text(cells["date"].text_content()) if "date" in cells else None
    if not date or not _DATE_CELL.match(date):
        raise StructureChanged(f"{where}, {state}: {date!r} is not a ratification date (DD Mon YYYY)")
    status = clean_text(cells["status"].text_content()) if "status" in cells else None
    note = "; ".join(t for t in (extra, clean_text(cells["note"].text_content()) if "note" in cells else None) if t)
    text = " ".join(t for t in (status, note) if t)
    fields: dict[str, str | None] = {"consent": iso(date), "action": "ratification", "status": status,
                                     "note": note or None}
    automatic = AUTOMATIC.search(text)
    denounced = DENOUNCED.search(text)
    if automatic:
        fields["denunciation"] = fields["denunciation_effective"] = iso(automatic[1])
        revising = automatic[2].replace(" ", "") if automatic[2] else None
        fields["note"] = f"automatic denunciation by the ratification of {revising}" if revising else \
            "automatic denunciation by the ratification of a revising convention"
    elif denounced:  # registered; it takes effect a year later (the conventions' final articles)
        fields["denunciation"] = iso(denounced[1] or denounced[2])
        fields["denunciation_effective"] = add_months(fields["denunciation"], 12)
    elif not status or status.lower() not in STATUSES:
        raise StructureChanged(f"{where}, {state}: unknown status {status!r} (known: In Force, Not in force, "
                               "or a denunciation)")
    return party_record(code, state, fields, title, url)
