"""The status table of one Council of Europe treaty, from its chart and declaration records."""

from __future__ import annotations

from collections import Counter
from typing import Any

from monitor.sources.coe.parse import CHART_URL, TreatyInfo, default_mention, treaty_number
from monitor.text import human_date
from monitor.treaties import RecordsOf, StatusRow, TreatyStatus

FLAGS = {"R": "reservations", "D": "declarations", "A": "authorities", "T": "territorial application",
         "C": "communications", "O": "objections"}
"""The chart's R D A T C O columns."""


def status_table(treaty: str, records_of: RecordsOf, memo: dict[str, Any]) -> TreatyStatus | None:
    try:
        number = treaty_number(treaty)
    except ValueError:
        return None
    records = records_of(number)
    if not records:
        return None
    listed = (memo.get("treaties") or {}).get(number)
    info = TreatyInfo(number, listed["title"], listed["mention"]) if listed else \
        TreatyInfo(number, f"Treaty {number}", default_mention(number))
    natures: dict[str, Counter] = {}
    for record in records:
        if ":declaration:" in record.key and not record.fields.get("withdrawn"):
            party = record.fields.get("code") or record.fields.get("state") or ""
            natures.setdefault(party, Counter())[(record.fields.get("nature") or "declaration").lower()] += 1
    rows = []
    for record in records:
        if ":declaration:" in record.key:
            continue
        fields = record.fields
        notes = []
        if fields.get("suspension"):
            notes.append(f"suspended {human_date(fields['suspension'])}")
        notes += [FLAGS[letter] for letter in (fields.get("flags") or "").split() if letter in FLAGS]
        counted = natures.get(fields.get("code") or "", Counter())
        notes += [f"{count} × {nature}" for nature, count in sorted(counted.items())]
        if fields.get("group") == "organisation":
            notes.append("international organisation")
        rows.append(StatusRow(participant=fields.get("state") or fields.get("code") or record.key,
                              signature=fields.get("signature"), consent=fields.get("consent"),
                              entry_into_force=fields.get("entry_into_force"),
                              denunciation=fields.get("denunciation"),
                              denunciation_effective=fields.get("denunciation_effective"), notes=notes))
    rows.sort(key=lambda row: row.participant.lower())
    return TreatyStatus(treaty=number, title=info.full_title, url=CHART_URL.format(number=number), rows=rows,
                        facts=[("Series", info.designation)])
