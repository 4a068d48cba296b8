"""The `coe` kind: Council of Europe Treaty Office charts of signatures and ratifications."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any, ClassVar

from .. import options as o
from ..settings import SourceConfig
from ..context import Document, SourceContext
from ..clock import utcnow
from ..diff import Change
from ..errors import SourceError, StructureChanged
from ..events import Event, event_id
from ..options import Option
from ..records import Record
from .base import Part, Source, part_or_error
from .coe_parse import (CHART_URL, TreatyInfo, default_mention, is_denunciation, is_withdrawal_notice,
                        parse_chart, parse_declarations, parse_treaty_list, treaty_number)
from .tls_fallback import get_lowering_seclevel

log = logging.getLogger("monitor.sources.coe")

DEFAULT_BASE_URL = "https://conventions-ws.coe.int/WS_LFRConventions/"
DEFAULT_PAGE_URL = "https://www.coe.int/en/web/conventions/full-list"
PUBLIC_TOKEN = "hfghhgp2q5vgwg1hbn532kw71zgtww7e"
"""The key the Treaty Office page publishes as ``window.conventions_api_key``."""
TREATY_LIST_MAX_AGE = 86400.0
"""The cached treaty list (numbers and titles) is fetched again after a day."""
# The Treaty Office page's empty search form: every treaty. The field names come from
# working clients; the answer carries every language's title whatever `langue` says.
SEARCH_ALL: dict[str, Any] = {"CodePays": None, "NumsSte": [], "AnneeOuverture": None, "AnneeVigueur": None,
                              "CodeLieuSTE": None, "CodeMatieres": [], "TitleKeywords": [], "langue": "ENG"}

# Record field -> (event type, label for titles), for the dates that are treaty actions.
ACTIONS = {
    "signature": ("signature", "Signature"),
    "consent": ("ratification", "Ratification"),
    "entry_into_force": ("entry_into_force", "Entry into force"),
    "denunciation": ("denunciation", "Denunciation"),
    "suspension": ("suspension", "Suspension"),
}

_KEY_IN_PAGE = re.compile(r"""conventions_api_key\s*=\s*["']([^"']+)["']""")


# --- options -----------------------------------------------------------------------------

def _treaties(value: Any) -> str | list[str]:
    if value == "all":
        return "all"
    if not isinstance(value, list) or not value:
        raise ValueError("must be \"all\" or a non-empty list of treaty numbers such as [126, 5]")
    numbers = [treaty_number(v) for v in value]
    return list(dict.fromkeys(numbers))


def _states(value: Any) -> list[str]:
    states = o.text_list(value)
    if any(not s.strip() for s in states):
        raise ValueError("state names or codes must not be empty")
    return states


def _base_url(value: Any) -> str:
    value = o.url(value)
    return value if value.endswith("/") else value + "/"


# --- the source --------------------------------------------------------------------------

class CoeSource(Source):
    """Watches the Treaty Office charts: one part per treaty, one record per state or
    organisation, events from the dates that appear on a row."""

    kind: ClassVar[str] = "coe"
    options: ClassVar[dict[str, Option]] = {
        "treaties": Option(_treaties, "all", help="\"all\", or a list of treaty numbers such as [126, 5]"),
        "states": Option(_states, [], help="only these states or organisations (names or codes); empty: all"),
        "declarations": Option(o.boolean, False, help="also watch reservations, declarations and withdrawals"),
        "token": Option(o.nonempty_text, PUBLIC_TOKEN, help="the web service key (header `token`)"),
        "base_url": Option(_base_url, DEFAULT_BASE_URL, help="the Treaty Office web service"),
        "page_url": Option(o.url, DEFAULT_PAGE_URL,
                           help="the page whose `window.conventions_api_key` is read when the key is refused"),
    }
    defaults: ClassVar[dict[str, Any]] = {
        "interval": 6 * 3600.0,
        "host_concurrency": 1,
        "host_delay": 1.0,
        "tls_seclevel": 1,
        "tls_legacy_connect": True,
    }

    def __init__(self, config: SourceConfig):
        super().__init__(config)
        self._treaties: dict[str, TreatyInfo] = {}
        self._quiet: set[str] = set()
        self._memo: dict[str, Any] = {}
        self._key_reread = False
        self._new_treaties: set[str] = set()
        self._seclevel0: set[str] = set()
        """Hosts whose TLS handshake needed security level 0."""

    def describe(self) -> str:
        treaties = self.config.options["treaties"]
        which = "all treaties" if treaties == "all" else f"treaties {', '.join(treaties)}"
        return f"{self.config.options['base_url']} ({which})"

    # -- fetching --

    def _token(self) -> str:
        configured = self.config.options["token"]
        if self._memo.get("token_for") == configured and self._memo.get("token"):
            return self._memo["token"]
        return configured

    async def _api(self, ctx: SourceContext, path: str, *, params: dict[str, Any] | None = None,
                   method: str = "GET", json: Any = None, need_body: bool = False) -> Document:
        url = self.config.options["base_url"] + path
        for attempt in range(2):
            document = await get_lowering_seclevel(ctx, url, self._seclevel0, params=params, method=method, json=json, need_body=need_body,
                                                   headers={"token": self._token(), "Accept": "application/json"},
                                                   accept=(401, 403))
            if document.status not in (401, 403):
                return document
            if attempt or self._key_reread:
                break
            await self._reread_key(ctx, document)
        raise SourceError(f"{document.url} refused the key (HTTP {document.status}), also after reading it "
                          f"again from {self.config.options['page_url']}; set `token` to the current "
                          "window.conventions_api_key of the Treaty Office page")

    async def _reread_key(self, ctx: SourceContext, refused: Document) -> None:
        """Read `window.conventions_api_key` from the Treaty Office page, once per check."""
        self._key_reread = True
        page_url = self.config.options["page_url"]
        try:
            page = await ctx.get(page_url, need_body=True, conditional=False)
        except SourceError as exc:
            raise SourceError(f"{refused.url} refused the key (HTTP {refused.status}) and the page "
                              f"{page_url} could not be read for a new one: {exc}") from None
        match = _KEY_IN_PAGE.search(page.text or "")
        if not match:
            raise SourceError(f"{refused.url} refused the key (HTTP {refused.status}) and {page_url} names no "
                              "window.conventions_api_key (bot challenge or new page?)")
        key = match.group(1).strip()
        if key == self._token():
            raise SourceError(f"{refused.url} refused the key (HTTP {refused.status}), and {page_url} still "
                              "publishes the same key")
        log.info("%s: the Treaty Office key was refused; using the key now published on %s", self.name, page_url)
        self._memo["token"] = key
        self._memo["token_for"] = self.config.options["token"]

    async def _treaty_list(self, ctx: SourceContext, wanted: list[str] | None) -> dict[str, TreatyInfo]:
        """The treaty list from the memo, fetched again when a day old or missing a wanted treaty."""
        cached = {n: TreatyInfo.from_memo(n, t) for n, t in (self._memo.get("treaties") or {}).items()}
        fetched_at = self._memo.get("treaties_fetched_at")
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(fetched_at)).total_seconds() if fetched_at else None
        missing = [n for n in wanted or [] if n not in cached]
        if cached and age is not None and 0 <= age < TREATY_LIST_MAX_AGE and not missing:
            return cached
        try:
            document = await self._api(ctx, "api/traites/search", method="POST", json=SEARCH_ALL, need_body=True)
            fresh = parse_treaty_list(document.json(), document.url)
        except SourceError as exc:
            if cached and not missing:
                log.warning("%s: keeping the cached treaty list: %s", self.name, exc)
                return cached
            raise
        if cached and len(fresh) * 2 < len(cached):
            raise StructureChanged(f"{document.url}: the treaty list has {len(fresh)} treaties where the last "
                                   f"one had {len(cached)} (structure changed?)")
        if cached:
            self._new_treaties = set(fresh) - set(cached)
        self._memo["treaties"] = {n: t.memo() for n, t in fresh.items()}
        self._memo["treaties_fetched_at"] = utcnow()
        return fresh

    # -- collecting --

    async def collect(self, ctx: SourceContext) -> list[Part]:
        self._memo = ctx.memo
        self._key_reread = False
        self._new_treaties = set()
        options = self.config.options
        wanted = None if options["treaties"] == "all" else options["treaties"]
        self._treaties = await self._treaty_list(ctx, wanted)
        if wanted:
            unknown = [n for n in wanted if n not in self._treaties]
            if unknown:
                raise SourceError(f"treaties {', '.join(unknown)} are not in the Treaty Office's list "
                                  f"({options['base_url']}api/traites/search); check `treaties`")
        numbers = wanted or sorted(self._treaties)
        states = [s.strip().lower() for s in options["states"]]
        filter_changed = self._memo.get("states_filter", states) != states
        charted = set(self._memo.get("charted") or [])
        parts: list[Part] = []
        for number in numbers:
            # One treaty that fails (a 500, an odd row) does not hold back the others.
            parts.extend(await part_or_error(ctx, number, self._collect_treaty(ctx, number, states, filter_changed)))
        # A part seen for the first time (a treaty or declarations newly configured) is a
        # baseline: its rows are history, not news. A treaty new to the list is news.
        good = [p for p in parts if not p.error]
        self._quiet = {p.name for p in good
                       if p.name not in charted and p.name.split(":")[0] not in self._new_treaties}
        if filter_changed:
            self._quiet |= {p.name for p in good}
        self._memo["charted"] = sorted(charted | {p.name for p in good})
        self._memo["states_filter"] = states
        return parts

    async def _collect_treaty(self, ctx: SourceContext, number: str, states: list[str],
                              filter_changed: bool) -> list[Part]:
        declarations = self.config.options["declarations"]
        document = await self._api(ctx, "api/signatures", params={"numSTE": number, "langue": "ENG"},
                                   need_body=declarations or filter_changed)
        parts: list[Part] = []
        codes: dict[str, str] = {}
        if document.text is None:
            parts.append(Part(number, None))
        else:
            rows = parse_chart(document.json(), number, document.url)
            codes = {(r.fields["state"] or "").lower(): r.fields["code"] or "" for r in rows}
            kept = [r for r in rows if _matches(r, states)]
            parts.append(Part(number, kept if document.changed or filter_changed else None, items=len(rows),
                              allow_empty=True))
        if declarations:
            found = await self._api(ctx, "api/conventions/getDeclarations",
                                    params={"numSte": number, "codeNature": 0, "langue": "ENG"},
                                    need_body=filter_changed)
            name = f"{number}:declarations"
            if found.text is None:
                parts.append(Part(name, None))
            else:
                rows = parse_declarations(found.json(), number, found.url, codes)
                kept = [r for r in rows if _matches(r, states)]
                parts.append(Part(name, kept, items=len(rows), allow_empty=True))
        return parts

    # -- events --

    def events(self, change: Change, detected_at: str) -> list[Event]:
        record = change.new or change.old
        assert record is not None
        number = record.fields.get("treaty") or change.key.split(":")[0]
        part = f"{number}:declarations" if ":declaration:" in change.key else number
        if change.kind == "added" and part in self._quiet:
            return []
        info = self._treaties.get(number) or TreatyInfo(number, f"Treaty {number}", default_mention(number))
        if ":declaration:" in change.key:
            return self._declaration_events(change, info, detected_at)
        return self._chart_events(change, info, detected_at)

    def _event(self, change: Change, info: TreatyInfo, detected_at: str, event_type: str, identity: tuple,
               title: str, summary: str, *, key: str | None = None, date: str | None = None,
               effective: str | None = None, details: dict[str, Any] | None = None) -> Event:
        record = change.new or change.old
        assert record is not None
        key = key or change.key
        return Event(id=event_id(self.name, key, event_type, *identity), type=event_type, source=self.name,
                     key=key, title=f"{title} — {info.full_title}", subject=record.fields.get("state"),
                     summary=summary, url=info.url, date=date, effective_date=effective, treaty=info.treaty(),
                     details={"fields": record.fields, **(details or {})}, detected_at=detected_at)

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
        return self._event(change, info, detected_at, "record_changed", identity, f"Chart corrected: {state}",
                           f"The chart of {info.full_title} changed for {state}: {listed}.",
                           details={"changed": changed})

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
        known: list[dict[str, Any]] = self._memo.setdefault("denunciations", {}).setdefault(key, [])
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


def _matches(record: Record, states: list[str]) -> bool:
    if not states:
        return True
    return any(s in ((record.fields.get("state") or "").lower(), (record.fields.get("code") or "").lower())
               for s in states)


def _summary(event_type: str, state: str, title: str, date: str) -> str:
    if event_type == "signature":
        return f"{state} signed {title} on {date}."
    if event_type == "ratification":
        return (f"{state} expressed its consent to be bound by {title} (ratification, acceptance, approval "
                f"or accession) on {date}.")
    if event_type == "entry_into_force":
        return f"{title} entered into force for {state} on {date}."
    return f"{title} was suspended for {state} on {date}."
