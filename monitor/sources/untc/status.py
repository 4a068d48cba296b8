"""The status table of one UN Treaty Collection treaty, from its participant and note records."""

from __future__ import annotations

from collections import Counter
from typing import Any

from monitor.sources.untc.withdrawals import is_withdrawal, withdrawal_dates
from monitor.text import human_date
from monitor.treaties import RecordsOf, StatusRow, TreatyStatus


def status_table(treaty: str, records_of: RecordsOf, memo: dict[str, Any]) -> TreatyStatus | None:
    records = records_of(treaty)
    if not records:
        return None
    rows: dict[str, StatusRow] = {}
    about = next((r for r in records if r.key == f"{treaty}:treaty"), None)
    for record in records:
        if ":participant:" in record.key:
            fields = record.fields
            name = fields.get("participant") or record.key.split(":", 2)[-1]
            row = rows[name] = StatusRow(participant=name, signature=fields.get("signature"),
                                         consent=fields.get("consent"), action=fields.get("consent_action"))
            for entry in filter(None, (fields.get("history") or "").split("; ")):
                role, _, rest = entry.partition(" ")
                day, _, action = rest.partition(" ")
                row.notes.append(f"earlier {role} {human_date(day)} ({action})" if action
                                 else f"earlier {role} {human_date(day)}")
    kinds: dict[str, Counter] = {}
    for record in records:
        if ":note:" not in record.key:
            continue
        owner, text = record.fields.get("participant"), record.fields.get("text") or ""
        if owner not in rows:
            continue
        if is_withdrawal(text):
            notified, effective = withdrawal_dates(text)
            row = rows[owner]
            if notified and (not row.denunciation or notified > row.denunciation):
                row.denunciation, row.denunciation_effective = notified, effective
        else:
            kinds.setdefault(owner, Counter())[record.fields.get("kind") or "note"] += 1
    for owner, counted in kinds.items():
        rows[owner].notes += [f"{count} × {kind}" for kind, count in sorted(counted.items())]
    facts = []
    if about:
        for label, name in (("Entry into force", "entry_into_force"), ("Signatories", "signatories"),
                            ("Parties", "parties")):
            if about.fields.get(name):
                facts.append((label, about.fields[name]))
    title = (about.fields.get("title") if about else None) or next((r.title for r in records if r.title), treaty)
    url = (about.url if about else None) or next((r.url for r in records if r.url), None)
    return TreatyStatus(treaty=treaty, title=title, url=url,
                        rows=sorted(rows.values(), key=lambda row: row.participant.lower()), facts=facts)
