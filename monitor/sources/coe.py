"""The `coe` kind: Council of Europe Treaty Office charts of signatures and ratifications."""

from __future__ import annotations

import hashlib
import html
import json as jsonlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar

from .. import options as o
from ..config import SourceConfig
from ..context import Document, SourceContext
from ..clock import utcnow
from ..diff import Change
from ..errors import SourceError, StructureChanged
from ..events import Event, Treaty, event_id
from ..options import Option
from ..records import Record, clean_text
from .base import Part, Source, part_or_error

log = logging.getLogger("monitor.sources.coe")

DEFAULT_BASE_URL = "https://conventions-ws.coe.int/WS_LFRConventions/"
DEFAULT_PAGE_URL = "https://www.coe.int/en/web/conventions/full-list"
PUBLIC_TOKEN = "hfghhgp2q5vgwg1hbn532kw71zgtww7e"
"""The key the Treaty Office page publishes as ``window.conventions_api_key``."""
CHART_URL = "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum={number}"
TREATY_LIST_MAX_AGE = 86400.0
"""The cached treaty list (numbers and titles) is fetched again after a day."""
FIRST_CETS = 194
"""From No. 194 on, treaties are published in the Council of Europe Treaty Series (CETS)."""

# The Treaty Office page's empty search form: every treaty. The field names come from
# working clients; the answer carries every language's title whatever `langue` says.
SEARCH_ALL: dict[str, Any] = {"CodePays": None, "NumsSte": [], "AnneeOuverture": None, "AnneeVigueur": None,
                              "CodeLieuSTE": None, "CodeMatieres": [], "TitleKeywords": [], "langue": "ENG"}

GROUPS = ("member", "non-member", "organisation")
"""The three lists of a chart, in the order the service sends them."""

# Chart row field -> record field. Dates are stored as ISO dates.
DATE_FIELDS = {
    "DateSignature": "signature",
    "DateConsentement": "consent",
    "DateEntreeVigueur": "entry_into_force",
    "DateDenonciation": "denunciation",
    "DateEffetDenonciation": "denunciation_effective",
    "DateSuspension": "suspension",
}
# Chart row flag field -> the letter of the chart's "R. D. A. T. C. O." columns.
FLAG_FIELDS = {
    "Reserves": "R",
    "Declarations": "D",
    "Autorites": "A",
    "Territoires": "T",
    "Communications": "C",
    "Objections": "O",
}
KNOWN_ROW_FIELDS = {"CodePays", "LibPaysOrga", "NumSTE", *DATE_FIELDS, *FLAG_FIELDS}

# Record field -> (event type, label for titles), for the dates that are treaty actions.
ACTIONS = {
    "signature": ("signature", "Signature"),
    "consent": ("ratification", "Ratification"),
    "entry_into_force": ("entry_into_force", "Entry into force"),
    "denunciation": ("denunciation", "Denunciation"),
    "suspension": ("suspension", "Suspension"),
}

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?$")
_KEY_IN_PAGE = re.compile(r"""conventions_api_key\s*=\s*["']([^"']+)["']""")
_NUMBER = re.compile(r"^0*(\d{1,3})([A-Za-z]?)$")
_DESIGNATION = re.compile(r"\(\s*C?ETS\b[^)]*\)")
_TRAILING_MARK = re.compile(r"\s*\(\*\)\s*$")
_TAG = re.compile(r"<[^>]+>")


# --- options -----------------------------------------------------------------------------

def treaty_number(value: Any) -> str:
    """The Treaty Office's form of a treaty number: 5 -> "005", "12a" -> "012A"."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"a treaty number must be a number such as 126, not {value!r}")
    match = _NUMBER.match(str(value).strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{value!r} is not a treaty number (e.g. 126, 5 or \"012A\")")
    return f"{int(match.group(1)):03d}{match.group(2).upper()}"


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


# --- parsing -----------------------------------------------------------------------------

@dataclass
class TreatyInfo:
    """What the treaty list says about one treaty."""

    number: str
    title: str
    mention: str

    @property
    def designation(self) -> str:
        return f"{self.mention} No. {self.number}"

    @property
    def full_title(self) -> str:
        """The English title ending with its designation, e.g. "… (ETS No. 126)"."""
        if _DESIGNATION.search(self.title):
            return self.title
        return f"{self.title} ({self.designation})"

    @property
    def url(self) -> str:
        return CHART_URL.format(number=self.number)

    def treaty(self) -> Treaty:
        return Treaty(id=self.designation, title=self.full_title, url=self.url)


def default_mention(number: str) -> str:
    """The series of a treaty the list does not describe: ETS up to No. 193, CETS after."""
    return "CETS" if int(number[:3]) >= FIRST_CETS else "ETS"


def parse_treaty_list(data: Any, url: str) -> dict[str, TreatyInfo]:
    """The `api/traites/search` answer: a list of treaties with number, titles and series."""
    if not isinstance(data, list):
        raise StructureChanged(f"{url}: expected a JSON list of treaties, got {type(data).__name__}")
    treaties: dict[str, TreatyInfo] = {}
    for item in data:
        if not isinstance(item, dict) or not item.get("Numero_traite"):
            raise StructureChanged(f"{url}: a treaty without \"Numero_traite\" in the treaty list")
        try:
            number = treaty_number(str(item["Numero_traite"]))
        except ValueError:
            raise StructureChanged(f"{url}: unknown treaty number {item['Numero_traite']!r}") from None
        title = clean_text(item.get("Libelle_titre_ENG")) or clean_text(item.get("Libelle_titre_FRE")) or ""
        title = _TRAILING_MARK.sub("", title)
        mention = clean_text(item.get("Mention")) or default_mention(number)
        treaties[number] = TreatyInfo(number, title or f"Treaty {number}", mention)
    if not treaties:
        raise StructureChanged(f"{url}: the treaty list is empty")
    return treaties


def iso_date(value: Any, where: str) -> str | None:
    """"1987-11-26T00:00:00" -> "1987-11-26"; null (and .NET's empty 0001-01-01) -> None."""
    if value is None or value == "":
        return None
    match = _ISO_DATE.match(value) if isinstance(value, str) else None
    if not match:
        raise StructureChanged(f"{where}: expected a date like \"1987-11-26T00:00:00\" or null, got {value!r}")
    return None if match.group(1).startswith("0001-") else match.group(1)


def _flag_set(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "n", "no", "non", "null")
    return bool(value)


def _text(value: Any) -> str | None:
    if isinstance(value, (dict, list)):
        return jsonlib.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def parse_chart(data: Any, number: str, url: str) -> list[Record]:
    """The `api/signatures` answer: an outer list of three lists of rows (member states,
    non-member states, organisations); one record per row, keyed "<treaty>:<code>"."""
    if not isinstance(data, list) or len(data) != len(GROUPS) or not all(isinstance(g, list) for g in data):
        shape = f"a list of {len(data)} items" if isinstance(data, list) else type(data).__name__
        raise StructureChanged(f"{url}: expected a list of three lists (member states, non-member states, "
                               f"organisations), got {shape}")
    records = []
    for group, rows in zip(GROUPS, data):
        for row in rows:
            if not isinstance(row, dict):
                raise StructureChanged(f"{url}: a {group} row is {type(row).__name__}, not an object")
            code = clean_text(row.get("CodePays"))
            if not code:
                raise StructureChanged(f"{url}: a {group} row has no \"CodePays\" (fields: {', '.join(row)})")
            if row.get("NumSTE") not in (None, "") and _same_number(row["NumSTE"]) != number:
                raise StructureChanged(f"{url}: asked for treaty {number} but a row is for treaty "
                                       f"{row['NumSTE']!r} (parameter ignored?)")
            fields: dict[str, str | None] = {
                "treaty": number, "state": clean_text(row.get("LibPaysOrga")) or code, "code": code, "group": group}
            for name, field in DATE_FIELDS.items():
                fields[field] = iso_date(row.get(name), f"{url}: {code} {name}")
            flags = [letter for name, letter in FLAG_FIELDS.items() if _flag_set(row.get(name))]
            fields["flags"] = " ".join(flags) or None
            for name, value in row.items():
                if name not in KNOWN_ROW_FIELDS:
                    fields[name] = _text(value)
            records.append(Record(key=f"{number}:{code}", fields=fields,
                                  title=f"{fields['state']} — treaty {number}", url=CHART_URL.format(number=number)))
    return records


def _same_number(value: Any) -> str | None:
    try:
        return treaty_number(str(value))
    except ValueError:
        return None


def parse_declarations(data: Any, number: str, url: str, codes: dict[str, str]) -> list[Record]:
    """The `api/conventions/getDeclarations` answer: a list of reservations, declarations,
    denunciations and withdrawals. `codes` maps state names to chart codes."""
    if not isinstance(data, list):
        raise StructureChanged(f"{url}: expected a JSON list of declarations, got {type(data).__name__}")
    records: list[Record] = []
    seen: set[str] = set()
    for item in data:
        if not isinstance(item, dict) or "nature_Dec" not in item:
            raise StructureChanged(f"{url}: a declaration without \"nature_Dec\"")
        country = item.get("code_Pays") if isinstance(item.get("code_Pays"), dict) else {}
        organisation = item.get("code_Organisation") if isinstance(item.get("code_Organisation"), dict) else {}
        state = clean_text(country.get("Value"))
        org = clean_text(organisation.get("Libelle"))
        if org and org.lower() == "null":
            org = None
        party = state or org
        code = clean_text(country.get("Key")) or codes.get((party or "").lower())
        nature = clean_text(item.get("nature_Dec"))
        article = clean_text(item.get("numero_Article"))
        effect = iso_date(item.get("date_Effet"), f"{url}: {party} date_Effet")
        text = clean_text(_TAG.sub(" ", html.unescape(str(item.get("texte_Decl") or ""))))
        key = f"{number}:declaration:{code or party or '-'}:{nature or '-'}:{article or '-'}:{effect or '-'}"
        if key in seen:
            key += ":" + hashlib.sha256((text or "").encode()).hexdigest()[:8]
        seen.add(key)
        fields = {"treaty": number, "state": party, "code": code, "nature": nature, "article": article,
                  "effective": effect,
                  "withdrawn": iso_date(item.get("date_Effet_Retrait"), f"{url}: {party} date_Effet_Retrait"),
                  "text": text}
        records.append(Record(key=key, fields=fields, title=f"{nature or 'Declaration'}: {party or '?'}",
                              url=f"https://www.coe.int/en/web/conventions/full-list?module=declarations-by-treaty"
                                  f"&numSte={number}&codeNature=0"))
    return records


def is_denunciation(nature: str | None) -> bool:
    lowered = (nature or "").lower()
    return "denunciation" in lowered or "dénonciation" in lowered or "denonciation" in lowered


def is_withdrawal_notice(nature: str | None) -> bool:
    lowered = (nature or "").lower()
    return "withdrawal" in lowered or "retrait" in lowered


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
            document = await ctx.get(url, params=params, method=method, json=json, need_body=need_body,
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
        cached = {n: TreatyInfo(n, t["title"], t["mention"]) for n, t in (self._memo.get("treaties") or {}).items()}
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
        self._memo["treaties"] = {n: {"title": t.title, "mention": t.mention} for n, t in fresh.items()}
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
