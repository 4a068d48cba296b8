"""Pure parsers of the UNODA treaties database: a GraphQL answer's actions as party records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from monitor.errors import SourceError, StructureChanged
from monitor.records import Record, clean_text
from monitor.sources.parties import add_months, party_record, require_rows
from monitor.sources.unoda.reference import ACTIONS

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?: 00:00:00)?$")


@dataclass(frozen=True)
class Action:
    """One row of a treaty's `actions_`."""

    date: str
    action: str
    state: str
    depositary: str | None


def parse_actions(data: Any, where: str) -> list[Action]:
    """The actions of a `treaty_` answer; GraphQL errors, a missing `data` or another shape fail loudly."""
    if not isinstance(data, dict):
        raise StructureChanged(f"{where}: the answer is not a GraphQL result object")
    if data.get("errors"):
        messages = "; ".join(str(e.get("message") if isinstance(e, dict) else e) for e in data["errors"])[:300]
        raise SourceError(f"{where}: GraphQL errors: {messages}")
    treaty = (data.get("data") or {}).get("treaty_") if isinstance(data.get("data"), dict) else None
    if not isinstance(treaty, dict):
        raise StructureChanged(f"{where}: no data.treaty_ in the answer (unknown short name, or a new schema)")
    inner = treaty.get("data")
    actions = inner.get("actions_") if isinstance(inner, dict) else None
    if not isinstance(actions, list):
        raise StructureChanged(f"{where}: no data.treaty_.data.actions_ list (unknown short name, or a new schema)")
    parsed = [_action(item, where) for item in actions]
    require_rows(parsed, where)
    return parsed


def _action(item: Any, where: str) -> Action:
    if not isinstance(item, dict) or set(item) - {"date", "action_type_", "state", "depositary"}:
        raise StructureChanged(f"{where}: an action of unknown shape: {str(item)[:120]}")
    kind = item.get("action_type_")
    if kind not in ACTIONS:
        raise StructureChanged(f"{where}: unknown action_type_ {kind!r} (known: {', '.join(ACTIONS)})")
    match = _DATE.match(str(item.get("date") or ""))
    if not match:
        raise StructureChanged(f"{where}: {item.get('date')!r} is not a date this source reads")
    state = clean_text((item.get("state") or {}).get("name"))
    if not state:
        raise StructureChanged(f"{where}: an action without a state name")
    depositary = clean_text((item.get("depositary") or {}).get("short_name"))
    return Action(match[1], kind, state, depositary)


def build_records(actions: list[Action], part: str, title: str, url: str,
                  notice_months: int | None) -> list[Record]:
    """One record per state: its first signature, its first consent (with its kind), its last
    withdrawal with the effective date the treaty's notice period gives, and the depositaries."""
    by_state: dict[str, list[Action]] = {}
    for action in sorted(actions, key=lambda a: (a.date, a.action)):
        by_state.setdefault(action.state, []).append(action)
    records = []
    for state, done in by_state.items():
        fields: dict[str, str | None] = {}
        for action in done:
            field, kind = ACTIONS[action.action]
            if field == "denunciation":
                fields["denunciation"] = action.date  # the last one: a state may withdraw, rejoin, withdraw
            elif not fields.get(field):
                fields[field] = action.date
                if kind:
                    fields["action"] = kind
        if fields.get("denunciation") and notice_months:
            fields["denunciation_effective"] = add_months(fields["denunciation"], notice_months)
        depositaries = sorted({a.depositary for a in done if a.depositary})
        withdrawn = [a for a in done if ACTIONS[a.action][0] == "denunciation"]
        if withdrawn and withdrawn[-1].depositary:
            fields["note"] = f"withdrawal notified to {withdrawn[-1].depositary}"
        else:
            fields["note"] = f"depositaries: {', '.join(depositaries)}" if depositaries else None
        records.append(party_record(part, state, fields, title, url))
    return records
