"""The `coe` event rules: dates that appear on a chart row, declarations, denunciations, corrections."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitor.diff import Change
from monitor.events import Event, make_event, record_changed
from monitor.records import Record
from monitor.sources.coe.parse import TreatyInfo, default_mention, is_denunciation, is_withdrawal_notice

# Record field -> (event type, label for titles), for the dates that are treaty actions.
ACTIONS = {
    "signature": ("signature", "Signature"),
    "consent": ("ratification", "Ratification"),
    "entry_into_force": ("entry_into_force", "Entry into force"),
    "denunciation": ("denunciation", "Denunciation"),
    "suspension": ("suspension", "Suspension"),
}


@dataclass(frozen=True)
class TreatyContext:
    """What the event rules know about one part of a `coe` source (its `Part.context`): the
    treaty, and the source's memo, where the dates that named a denunciation are kept."""

    info: TreatyInfo
    memo: dict[str, Any]


def treaty_context(number: str, treaties: Mapping[str, TreatyInfo], memo: dict[str, Any]) -> TreatyContext:
    """The context of the parts of treaty `number`; one missing from the treaty list is named by
    its number and series."""
    info = treaties.get(number) or TreatyInfo(number, f"Treaty {number}", default_mention(number))
    return TreatyContext(info, memo)


@dataclass
class CoeEvents:
    """Events of one source; `memo` keeps which dates already named a denunciation."""

    source: str
    memo: dict[str, Any]

    def for_change(self, change: Change, info: TreatyInfo, detected_at: str) -> list[Event]:
        """The events of one chart or declaration record change of treaty `info`."""
        if ":declaration:" in change.key:
            return self._declaration_events(change, info, detected_at)
        return self._chart_events(change, info, detected_at)

    def _event(self, change: Change, info: TreatyInfo, detected_at: str, event_type: str, identity: tuple,
               title: str, summary: str, *, key: str | None = None, date: str | None = None,
               effective: str | None = None, details: dict[str, Any] | None = None) -> Event:
        return make_event(self.source, key or change.key, event_type, identity, summary=summary, date=date,
                          effective_date=effective, details={"fields": _record(change).fields, **(details or {})},
                          **_about(change, info, detected_at, title))

    def _chart_events(self, change: Change, info: TreatyInfo, detected_at: str) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        state = record.fields.get("state") or record.fields.get("code") or "?"
        if change.kind == "removed":
            return [self._event(change, info, detected_at, "record_removed", (record.fingerprint(),),
                                f"No longer on the chart: {state}",
                                f"{state} is no longer listed on the chart of {info.full_title}.")]
        old = change.old.fields if change.old else {}
        new = record.fields
        events: list[Event] = []
        handled: set[str] = set()
        for field, (event_type, label) in ACTIONS.items():
            before, after = old.get(field), new.get(field)
            if field == "denunciation":
                handled |= {"denunciation", "denunciation_effective"}
                effective_before, effective_after = old.get("denunciation_effective"), new.get("denunciation_effective")
                if not (before or effective_before) and (after or effective_after):
                    events.append(self._denunciation(change, info, detected_at, state, after, effective_after))
                    continue
                if (before, effective_before) != (after, effective_after) and change.kind == "changed":
                    self._denunciation_identity(change.key, {d for d in (after, effective_after) if d}, None,
                                                create=False)
                    events.append(self._changed(change, info, detected_at, state,
                                                {f: {"old": old.get(f), "new": new.get(f)}
                                                 for f in ("denunciation", "denunciation_effective")
                                                 if old.get(f) != new.get(f)}))
                continue
            handled.add(field)
            if after and not before:
                events.append(self._event(change, info, detected_at, event_type, (after,), f"{label}: {state}",
                                          _summary(event_type, state, info.full_title, after), date=after,
                                          details={"field": field, "old": before, "new": after}))
            elif before != after and change.kind == "changed":
                events.append(self._changed(change, info, detected_at, state, {field: {"old": before, "new": after}}))
        rest = {name: {"old": old_value, "new": new_value} for name, (old_value, new_value) in change.fields.items()
                if name not in handled}
        if change.kind == "changed" and rest:
            events.append(self._changed(change, info, detected_at, state, rest))
        if change.kind == "added" and not events:
            events.append(self._event(change, info, detected_at, "record_added", (record.fingerprint(),),
                                      f"Listed on the chart: {state}",
                                      f"{state} now appears on the chart of {info.full_title}, with no dates."))
        return events

    def _changed(self, change: Change, info: TreatyInfo, detected_at: str, state: str,
                 changed: dict[str, dict[str, str | None]]) -> Event:
        identity = tuple(f"{name}={value['old']}>{value['new']}" for name, value in sorted(changed.items()))
        listed = "; ".join(f"{name}: {value['old'] or 'none'} → {value['new'] or 'none'}"
                           for name, value in sorted(changed.items()))
        return record_changed(self.source, change.key, {name: (value["old"], value["new"])
                                                        for name, value in changed.items()},
                              identity=identity, details={"fields": _record(change).fields},
                              summary=f"The chart of {info.full_title} changed for {state}: {listed}.",
                              **_about(change, info, detected_at, f"Chart corrected: {state}"))

    def _denunciation(self, change: Change, info: TreatyInfo, detected_at: str, state: str,
                      date: str | None, effective: str | None, key: str | None = None,
                      details: dict[str, Any] | None = None) -> Event:
        key = key or change.key
        identity = self._denunciation_identity(key, {d for d in (date, effective) if d}, date or effective)
        summary = f"{state} denounced {info.full_title}"
        summary += f" on {date}" if date else ""
        summary += f"; the denunciation takes effect on {effective}." if effective else "."
        return self._event(change, info, detected_at, "denunciation", (identity,), f"Denunciation: {state}",
                           summary, key=key, date=date, effective=effective,
                           details={"denunciation": date, "denunciation_effective": effective, **(details or {})})

    def _denunciation_identity(self, key: str, dates: set[str], preferred: str | None, *,
                               create: bool = True) -> str | None:
        """The date that names a denunciation of `key`: the one first reported, when the chart
        and the declarations list report the same denunciation with one date in common."""
        known: list[dict[str, Any]] = self.memo.setdefault("denunciations", {}).setdefault(key, [])
        for entry in known:
            if dates & set(entry["dates"]):
                entry["dates"] = sorted(set(entry["dates"]) | dates)
                return entry["id"]
        if create:
            known.append({"id": preferred, "dates": sorted(dates)})
        return preferred

    def _declaration_events(self, change: Change, info: TreatyInfo, detected_at: str) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        fields = record.fields
        party = fields.get("state") or fields.get("code") or "?"
        nature = fields.get("nature") or "Declaration"
        if change.kind == "removed":
            return [self._event(change, info, detected_at, "record_removed", (record.fingerprint(),),
                                f"No longer listed: {nature} by {party}",
                                f"A {nature.lower()} by {party} is no longer listed for {info.full_title}.")]
        if change.kind == "added":
            if is_denunciation(nature) and fields.get("code"):
                return [self._denunciation(change, info, detected_at, party, None, fields.get("effective"),
                                           key=f"{info.number}:{fields['code']}",
                                           details={"declaration": change.key})]
            verb = "withdrew" if is_withdrawal_notice(nature) else "made"
            article = f" (article {fields['article']})" if fields.get("article") else ""
            return [self._event(change, info, detected_at, "reservation", (fields.get("effective"),),
                                f"{nature}: {party}",
                                f"{party} {verb} a {nature.lower()}{article} to {info.full_title}"
                                + (f", effective {fields['effective']}." if fields.get("effective") else "."),
                                date=fields.get("effective"), details={"nature": nature})]
        before, after = (change.old.fields if change.old else {}).get("withdrawn"), fields.get("withdrawn")
        events = []
        if after and not before:
            events.append(self._event(change, info, detected_at, "reservation", ("withdrawn", after),
                                      f"Withdrawal of {nature.lower()}: {party}",
                                      f"{party} withdrew its {nature.lower()} to {info.full_title}, "
                                      f"with effect from {after}.", date=after, details={"nature": nature}))
        rest = {n: {"old": a, "new": b} for n, (a, b) in change.fields.items() if not (n == "withdrawn" and events)}
        if rest:
            events.append(self._changed(change, info, detected_at, party, rest))
        return events



def _record(change: Change) -> Record:
    record = change.new or change.old
    assert record is not None
    return record


def _about(change: Change, info: TreatyInfo, detected_at: str, title: str) -> dict[str, Any]:
    """What every event of a chart or declaration row says besides its action."""
    return dict(title=f"{title} — {info.full_title}", subject=_record(change).fields.get("state"), url=info.url,
                treaty=info.treaty(), detected_at=detected_at)


def _summary(event_type: str, state: str, title: str, date: str) -> str:
    if event_type == "signature":
        return f"{state} signed {title} on {date}."
    if event_type == "ratification":
        return (f"{state} expressed its consent to be bound by {title} (ratification, acceptance, approval "
                f"or accession) on {date}.")
    if event_type == "entry_into_force":
        return f"{title} entered into force for {state} on {date}."
    return f"{title} was suspended for {state} on {date}."
