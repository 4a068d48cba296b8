"""The `pravo` kind: Russia's official publication portal (publication.pravo.gov.ru), day by day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar

from .. import clock, options as o
from ..settings import SourceConfig
from ..context import Document, SourceContext
from ..diff import Change
from ..errors import SourceError, StructureChanged
from ..events import Event, Treaty, event_id
from ..options import Option
from ..records import Record, clean_text
from .base import Part, Source

DEFAULT_BASE_URL = "http://publication.pravo.gov.ru"
PAGE_SIZE = 200
"""The largest page the API offers (10, 30, 100 or 200)."""
MAX_DAY_ITEMS = 5000
"""More results than this for one day and one scope item means the filter was ignored
(the unfiltered archive answers with about 1.6 million)."""
MAX_PAGES = 50
SORT_BY_EO_NUMBER = "5"
"""`SortedBy` value for "publication number": a stable order for paging."""
MOSCOW = timezone(timedelta(hours=3))
SUBJECT = "Russian Federation"

# Publication blocks (`code` in /api/PublicBlocks, 2026 captures).
BLOCKS: dict[str, str] = {
    "president": "Президент Российской Федерации (федеральные законы, указы, распоряжения)",
    "assembly": "Федеральное Собрание Российской Федерации",
    "council_1": "Совет Федерации",
    "council_2": "Государственная Дума",
    "government": "Правительство Российской Федерации",
    "federal_authorities": "федеральные органы исполнительной власти",
    "court": "Конституционный Суд Российской Федерации",
    "subjects": "органы власти субъектов Российской Федерации",
    "international": "Международные договоры Российской Федерации",
    "un_securitycouncil": "Совет Безопасности ООН",
}

# Document types (/api/DocumentTypes, January 2026 capture): name -> id.
DOCUMENT_TYPES: dict[str, str] = {
    "Конституция": "8fb60238-9fee-4a1b-9534-6d99ad0ceff0",
    "Закон Российской Федерации о поправке к Конституции Российской Федерации":
        "e0c56da5-17f1-40ac-a10f-8a9a1cee0c4e",
    "Федеральный конституционный закон": "93273da3-3133-4acf-96c2-4adc1ae70e19",
    "Федеральный закон": "82a8bf1c-3bc7-47ed-827f-7affd43a7f27",
    "Указ": "0790e34b-784b-4372-884e-3282622a24bd",
    "Постановление": "fd5a8766-f6fd-4ac2-8fd9-66f414d314ac",
    "Постановление Правления": "49a1ee72-097d-44e6-985d-f0cb7b036150",
    "Распоряжение": "7ff5b3b5-3757-44f1-bb76-3766cabe3593",
    "Резолюция": "397f9cc4-dc88-41a1-b009-802c99f9d9fd",
    "Соглашение": "7732b2a0-c522-436f-8172-a251912e2fc9",
    "Конвенция": "7c112925-ceaf-4bb4-93b4-16618b5dbdba",
    "Международный договор": "7ccde0f1-39b0-49b9-9a61-2fee55402189",
    "Договор": "63c6ff4f-ed74-45b3-86e2-8a76b75d674d",
    "Апелляционное определение": "a4719334-d2b8-4965-9c0e-95675800e1e5",
    "Кассационное определение": "b3078722-e63a-48cc-9458-5496a982b286",
    "Определение": "7a766fb3-5104-4579-a777-25bc88c0ddc9",
    "Протокол": "ac9e6a29-59cd-4c3d-8c14-ceb9843ef2da",
    "Поправки": "e39a5fe7-2e9f-4023-a7af-f17b5f2dec56",
    "Дополнение": "03f36e50-3912-4921-865a-3d34abdebf1e",
    "Дополнительный протокол": "337bbf47-7cc0-481d-8eb7-1f21ace58bfe",
    "Меморандум": "8dbf81e3-c061-4f28-939b-cf9a2c95421c",
    "Исполнительный протокол": "a9fc04ed-758b-4b6e-a35a-e55e4c69f825",
    "Сообщение Президента Российской Федерации": "4d76ef2a-6181-4e1c-bbd9-23ff836f8aca",
    "Сообщение о принятии Решения": "2037d729-6259-4249-9d7b-804854b17778",
    "Сообщение о судебном Решении": "b7d925b6-2190-4794-a7ee-f5e3993e1954",
    "Официальное сообщение Министерства иностранных дел": "4735e463-35e6-4ee9-a2c6-3ba2fba6f4d2",
    "Приказ": "2dddb344-d3e2-4785-a899-7aa12bd47b6f",
    "Положение": "a60db81f-1834-41fe-99dd-c8cf3746745d",
    "Конституционный закон": "97d902b9-cc94-4b01-9576-b4a7d4fde1fb",
    "Регламент": "d84850fc-c3f6-4595-a55c-bc8bcae02328",
    "Устав": "c0281bbe-6be1-45be-8acd-f319c99b85ad",
    "Устав (Основной Закон)": "50acf12d-2461-466e-bada-de5d8b7737a1",
    "Закон о поправках к Уставу": "1ee8f2cc-d23f-4ac1-a0e4-1fd202ecc736",
    "Поправки к Уставу": "5cf51861-5b6f-4210-9776-8086c05fdc8b",
    "Закон о внесении поправок в Устав Красноярского края": "cdafe085-10fe-4199-92a5-9aa82b2b6c99",
    "Закон Республики Бурятия о внесении поправок в Конституцию Республики Бурятия":
        "bdfe8274-cfc2-4a62-b413-91a201646ced",
    "Закон": "8910e61f-371d-490c-a1b8-aa7b8a5a48be",
    "Областной закон": "e880fa45-e4f4-4db9-bba0-847666adebab",
    "Уставный закон": "16b9a101-4ce2-47d0-8a92-8b1aff72867a",
    "Решение правления": "49322bdb-8137-4b5f-bc94-792e88992fab",
    "Решение": "34f574b3-5342-465d-9aad-fb692d9d27f2",
    "Заключение": "cf7ebd4b-506a-4794-ae32-3705c98f5535",
    "Извещение": "b1f44e8e-7699-4fe5-a9d1-7f6f62c7b89c",
    "Указание": "28b0f778-037b-456d-b510-2029cd6ed4ca",
    "Сообщение о принятии апелляционного решения": "c8df27f2-89a6-4014-8b3b-f224eb4448d2",
    "Сообщение о принятии апелляционного определения": "16fc3357-b991-4dd0-9447-cfa66257dcbd",
}
TYPE_NAMES: dict[str, str] = {type_id: name for name, type_id in DOCUMENT_TYPES.items()}

# Signatory authorities (/api/SignatoryAuthorities) that sign treaty acts.
SIGNATORIES: dict[str, str] = {
    "225698f1-cfbc-4e42-9caa-32f9f7403211": "Президент Российской Федерации",
    "8005d8c9-4b6d-48d3-861a-2a37e69fccb3": "Правительство Российской Федерации",
    "1d0def12-868d-4712-89f9-623ac74de4cd": "Министерство иностранных дел Российской Федерации",
}

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_EO_NUMBER = re.compile(r"^\d{8,20}$")
_HEADER = re.compile(r"^(?P<type>.+?)\s+от\s+(?P<date>\d{1,2}\.\d{1,2}\.\d{4})(?:\s*г\.?)?"
                     r"(?:(?:\s+[^\s№\"«“„]+)?\s*№\s*(?P<number>[^\s\"«“„]+))?\s*(?P<rest>.*)$", re.S)
_QUOTES = "\"“”„«»"


# --- options -------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).casefold()


_TYPE_BY_NAME = {_norm(name): type_id for name, type_id in DOCUMENT_TYPES.items()}


def parse_blocks(value: Any) -> list[str]:
    """Publication block codes, e.g. ["president", "international"]."""
    codes = []
    for code in o.text_list(value):
        wanted = code.strip().lower()
        if wanted not in BLOCKS:
            raise ValueError(f"unknown block {code!r} (known: {', '.join(BLOCKS)})")
        if wanted not in codes:
            codes.append(wanted)
    return codes


def parse_document_types(value: Any) -> list[str]:
    """Document types by Russian name (e.g. "Федеральный закон") or id; returns ids."""
    ids = []
    for entry in o.text_list(value):
        text = entry.strip()
        type_id = text.lower() if _GUID.match(text) else _TYPE_BY_NAME.get(_norm(text))
        if type_id is None:
            raise ValueError(f"unknown document type {entry!r} (known: {', '.join(DOCUMENT_TYPES)}; "
                             "or give a type id from /api/DocumentTypes)")
        if type_id not in ids:
            ids.append(type_id)
    return ids


# --- titles and classification -------------------------------------------------------------

@dataclass(frozen=True)
class TreatyAct:
    """What a title says: the event type, the precise action, and the treaty's (Russian) name."""

    type: str
    action: str
    treaty: str


# (title start, event type, action, the rest must name a treaty). Order matters: the more
# specific start first ("об отзыве ратификации" before "о ратификации").
_ACTIONS: list[tuple[str, str, str, bool]] = [
    (r"об\s+отзыве\s+(?:российской\s+федерацией\s+)?ратификации", "denunciation", "withdrawal_of_ratification", False),
    (r"о\s+ратифи(?:кации|цировании)", "ratification", "ratification", False),
    (r"о\s+денонс(?:ации|ировании)", "denunciation", "denunciation", False),
    (r"о\s+прекращении\s+временного\s+применения", "denunciation", "termination_of_provisional_application", True),
    (r"о\s+прекращении\s+(?:российской\s+федерацией\s+)?участия", "denunciation", "withdrawal", True),
    (r"о\s+прекращении", "denunciation", "termination", True),
    (r"о\s+выходе", "denunciation", "withdrawal", True),
    (r"о\s+приостанов(?:лении|ке)", "suspension", "suspension", True),
    (r"о\s+возобновлении", "entry_into_force", "resumption", True),
    (r"о\s+присоединении", "ratification", "accession", True),
    (r"о\s+временном\s+применении", "entry_into_force", "provisional_application", True),
    (r"о\s+вступлении\s+в\s+силу", "entry_into_force", "entry_into_force", True),
    (r"о\s+подписании", "signature", "signature", True),
]
# Words between the action and the treaty's name ("О денонсации Российской Федерацией …",
# "О прекращении действия в отношении Российской Федерации …", "О выходе … из …").
_FILLER = (r"(?:\s+(?:российской\s+федераци(?:ей|и)|в\s+отношении\s+российской\s+федерации|"
           r"от\s+имени\s+российской\s+федерации|действия|выполнения|участия|применения|из|к|в))*")
_ACTION_PATTERNS = [(re.compile(rf"^{start}{_FILLER}\s+(?=\S)", re.I), event_type, action, needs_treaty)
                    for start, event_type, action, needs_treaty in _ACTIONS]
_TREATY_WORD = re.compile(r"договор|соглашени|конвенци|протокол|пакт|устав|харти|меморандум|статут|"
                          r"поправ|международн|трактат", re.I)
_TRAILING_SCOPE = re.compile(r"\s+в\s+отношении\s+российской\s+федерации\s*$", re.I)


def _header(text: str) -> re.Match[str] | None:
    """Type, date and number at the start of a complexName ("Федеральный закон от … № …"),
    never a title that merely cites an act ("О внесении изменений в … от … № …")."""
    match = _HEADER.match(text)
    if match and re.match(r"^(?:о|об|про)\s", match.group("type"), re.I):
        return None
    return match


def _names_treaty(text: str) -> bool:
    """Does a title's remainder name a treaty? Treaty names are capitalised ("Соглашения …",
    "Европейской конвенции …") or international ("международных договоров …"); a domestic
    "договора аренды" or "отдельных положений Указа" is not a treaty."""
    head = " ".join(text.split()[:5])
    if not _TREATY_WORD.search(head):
        return False
    return text[:1].isupper() or bool(re.search(r"международн", head, re.I))


def strip_quotes(text: str | None) -> str:
    """Remove the outer (or stray) quotes around a title, keeping balanced inner quotes."""
    value = clean_text(text) or ""
    if value[:1] in _QUOTES and value[:1] != "»":
        value = value[1:].lstrip()
    if value.endswith("»") and value.count("»") > value.count("«"):
        value = value[:-1].rstrip()
    elif value[-1:] in "\"“”„" and sum(value.count(q) for q in "\"“”„") % 2 == 1:
        value = value[:-1].rstrip()
    return value


def short_title(text: str | None) -> str:
    """The act's own title: type, date and number removed (if present), quotes stripped."""
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    head, newline, rest = value.partition("\n")
    header = _header(clean_text(head) or "")
    if newline and header:
        value = rest
    elif header and header.group("number"):
        value = header.group("rest")
    return strip_quotes(value)


def classify_title(title: str | None) -> TreatyAct | None:
    """The treaty action a title starts with ("О ратификации …", "О денонсации …"), or None.

    Only the start counts: "О внесении изменений … в связи с ратификацией …" is no ratification.
    """
    text = short_title(title)
    # "ё" -> "е" keeps every index, so the match positions fit the original text.
    folded = text.replace("ё", "е").replace("Ё", "Е")
    for pattern, event_type, action, needs_treaty in _ACTION_PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        treaty = _TRAILING_SCOPE.sub("", text[match.end():]).strip(" ,.;:" + _QUOTES)
        if not treaty:
            return None
        if needs_treaty and not _names_treaty(treaty):
            return None
        return TreatyAct(event_type, action, treaty)
    return None


# --- items -> records ----------------------------------------------------------------------

def _iso(value: Any) -> str | None:
    """ISO date from "2026-08-04T00:00:00" or "04.08.2026"."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text[:10]).isoformat()
        return datetime.strptime(text, "%d.%m.%Y").date().isoformat()
    except ValueError:
        return None


def _type_name(type_id: Any, header_type: str | None) -> str | None:
    if isinstance(type_id, str) and type_id.lower() in TYPE_NAMES:
        return TYPE_NAMES[type_id.lower()]
    if header_type:
        folded = _norm(header_type)
        known = [name for name in DOCUMENT_TYPES if folded.startswith(_norm(name))]
        if known:
            return max(known, key=len)
    return None


def parse_item(item: Any, base_url: str, url: str) -> Record:
    """One `/api/Documents` item as a record keyed by `eoNumber` (2023 and 2026 shapes)."""
    if not isinstance(item, dict):
        raise StructureChanged(f"{url}: an entry of 'items' is not an object")
    eo = item.get("eoNumber")
    if not isinstance(eo, str) or not _EO_NUMBER.match(eo.strip()):
        raise StructureChanged(f"{url}: an item has no usable 'eoNumber' ({eo!r})")
    eo = eo.strip()
    complex_name = item.get("complexName") if isinstance(item.get("complexName"), str) else None
    name = item.get("name") if isinstance(item.get("name"), str) else None
    if not complex_name and not name:
        raise StructureChanged(f"{url}: item {eo} has neither 'complexName' nor 'name'")
    head = clean_text((complex_name or "").replace("\r", "\n").partition("\n")[0]) or ""
    header = _header(head)
    if name and clean_text(name) != clean_text(complex_name) and not _header(clean_text(name) or ""):
        title = strip_quotes(name)
    else:
        title = short_title(complex_name or name)
    type_name = _type_name(item.get("documentTypeId"), header.group("type") if header else None)
    signatory = SIGNATORIES.get(str(item.get("signatoryAuthorityId") or "").lower())
    if not signatory and header and type_name:
        signatory = clean_text(header.group("type")[len(type_name):])
    number = clean_text(item.get("number")) or (header.group("number") if header else None)
    document_date = _iso(item.get("documentDate")) or (_iso(header.group("date")) if header else None)
    published = _iso(item.get("publishDateShort")) or _iso(item.get("viewDate"))
    full = f'{head} "{title}"' if header else title
    return Record(
        key=eo,
        fields={
            "eo_number": eo,
            "document_type": type_name,
            "number": number,
            "document_date": document_date,
            "publication_date": published,
            "short_title": title,
            "signatory": signatory,
            "pdf_url": f"{base_url}/file/pdf?eoNumber={eo}",
        },
        title=full,
        url=f"{base_url}/document/{eo}",
    )


def parse_page(data: Any, url: str, base_url: str, day: date | None = None,
               index: int = 1) -> tuple[list[Record], int]:
    """Records of one answer page and the number of pages; loud on any unexpected shape."""
    if isinstance(data, dict) and "items" not in data and isinstance(data.get("message"), str):
        message = " ".join(data["message"].split())
        raise SourceError(f"{url} rejected the query: {message}")
    if not isinstance(data, dict) or "items" not in data:
        shown = sorted(data)[:8] if isinstance(data, dict) else type(data).__name__
        raise StructureChanged(f"{url}: expected an object with 'items', got {shown}")
    items = data["items"]
    if not isinstance(items, list):
        raise StructureChanged(f"{url}: 'items' is not a list")
    total = data.get("itemsTotalCount")
    if not isinstance(total, int) or isinstance(total, bool):
        raise StructureChanged(f"{url}: expected a number in 'itemsTotalCount', got {total!r}")
    if total > MAX_DAY_ITEMS:
        raise StructureChanged(f"{url}: {total:,} results for one day (more than {MAX_DAY_ITEMS:,}): "
                               "the portal ignored the date filter; refusing to treat them as new acts")
    current = data.get("currentPage")
    if isinstance(current, int) and current != index:
        raise StructureChanged(f"{url}: asked for page {index}, got page {current} (paging ignored)")
    pages = data.get("pagesTotalCount")
    if not isinstance(pages, int) or isinstance(pages, bool):
        per_page = data.get("itemsPerPage") or PAGE_SIZE
        pages = -(-total // per_page) if isinstance(per_page, int) and per_page > 0 else 1
    if pages > MAX_PAGES:
        raise StructureChanged(f"{url}: {pages} pages for one day (more than {MAX_PAGES}): page size ignored?")
    if total and not items and index <= pages:
        raise StructureChanged(f"{url}: page {index} of {pages} is empty although {total} results were announced")
    records = [parse_item(item, base_url, url) for item in items]
    if day is not None and records:
        wanted = day.isoformat()
        dated = [r for r in records if r.fields.get("publication_date")]
        other = [r for r in dated if r.fields["publication_date"] != wanted]
        if other and len(other) * 2 >= len(dated):
            raise StructureChanged(f"{url}: {len(other)} of {len(records)} acts were not published on "
                                   f"{wanted} (e.g. {other[0].key}): the portal ignored the date filter")
        # An act listed under another day belongs to that day's part.
        records = [r for r in records if r.fields.get("publication_date") in (None, wanted)]
    return records, pages


def moscow_today() -> date:
    """The portal publishes on Moscow dates."""
    return clock.today(MOSCOW)


# --- the source ----------------------------------------------------------------------------

_DOC_LABELS = {
    "Федеральный закон": "federal law",
    "Федеральный конституционный закон": "federal constitutional law",
    "Официальное сообщение Министерства иностранных дел": "MFA official message",
}
_ACTION_LABELS = {
    "ratification": "ratification of",
    "accession": "accession to",
    "denunciation": "denunciation of",
    "withdrawal_of_ratification": "withdrawal of ratification of",
    "withdrawal": "withdrawal from",
    "termination": "termination of",
    "termination_of_provisional_application": "termination of provisional application of",
    "suspension": "suspension of",
    "resumption": "resumption of",
    "provisional_application": "provisional application of",
    "entry_into_force": "entry into force of",
    "signature": "signature of",
}


def document_label(fields: dict[str, str | None]) -> str:
    """An English name for the kind of act, e.g. "federal law", "presidential decree"."""
    type_name = fields.get("document_type") or ""
    if type_name in _DOC_LABELS:
        return _DOC_LABELS[type_name]
    signatory = (fields.get("signatory") or "").casefold()
    by = "presidential " if "президент" in signatory else "government " if "правительств" in signatory else ""
    plain = {"Указ": "decree", "Распоряжение": "order", "Постановление": "resolution"}.get(type_name)
    return f"{by}{plain}" if plain else "act"


class PravoSource(Source):
    """Polls `/api/Documents` for each day of a look-back window and each scope item
    (a publication block, or a document type across blocks); records are keyed by
    `eoNumber`, one part per day. Treaty acts are classified by the start of the title."""

    kind: ClassVar[str] = "pravo"
    options: ClassVar[dict[str, Option]] = {
        "base_url": Option(o.base_url, DEFAULT_BASE_URL, help="the portal's address (http works where https is filtered)"),
        "lookback_days": Option(o.integer(1, 60), 7, help="days checked on each run, today (Moscow) included"),
        "blocks": Option(parse_blocks, ["president"], help="publication blocks watched whole"),
        "document_types": Option(parse_document_types, [], help="document types (name or id) watched in every block"),
        "all_acts": Option(o.boolean, False, help="also raise law_published for acts that are not treaty actions"),
    }
    defaults: ClassVar[dict[str, Any]] = {
        "interval": 3600.0,
        "timeout": 60.0,
        "host_concurrency": 1,
        "host_delay": 1.0,
    }

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        if not config.options["blocks"] and not config.options["document_types"]:
            return ["blocks: give at least one block or one document type (both are empty)"]
        return []

    def describe(self) -> str:
        options = self.config.options
        scope = [f"block {b}" for b in options["blocks"]]
        scope += [TYPE_NAMES.get(t, t) for t in options["document_types"]]
        return f"{options['base_url']} ({', '.join(scope)}; last {options['lookback_days']} days)"

    def scope(self) -> list[tuple[str, str]]:
        """One query parameter per scope item: ("Block", code) or ("DocumentTypes", id)."""
        options = self.config.options
        return [("Block", b) for b in options["blocks"]] + [("DocumentTypes", t) for t in options["document_types"]]

    def days(self, today: date | None = None) -> list[date]:
        today = today or moscow_today()
        return [today - timedelta(days=n) for n in range(self.config.options["lookback_days"])]

    async def collect(self, ctx: SourceContext) -> list[Part]:
        parts = []
        for day in self.days():
            parts.append(await self.collect_day(ctx, day))
        return parts

    async def collect_day(self, ctx: SourceContext, day: date) -> Part:
        """Every page of every scope item for one publication day."""
        base = self.config.options["base_url"]
        url = f"{base}/api/Documents"
        records: dict[str, Record] = {}
        changed = False
        for scope in self.scope():
            index, pages, seen = 1, 1, set()
            while index <= pages:
                params = [scope, ("PeriodType", "day"), ("Date", day.strftime("%d.%m.%Y")),
                          ("PageSize", str(PAGE_SIZE)), ("SortedBy", SORT_BY_EO_NUMBER), ("Index", str(index))]
                document = await ctx.get(url, params=params, need_body=True, accept=(400, 404))
                changed = changed or document.changed
                page, pages = parse_page(self._json(document), document.url, base, day, index)
                if index > 1 and page and all(r.key in seen for r in page):
                    raise StructureChanged(f"{document.url}: page {index} repeats earlier pages (paging ignored)")
                for record in page:
                    seen.add(record.key)
                    records.setdefault(record.key, record)
                index += 1
        name = day.isoformat()
        if not changed:
            return Part(name, records=None, allow_empty=True)
        return Part(name, records=list(records.values()), allow_empty=True)

    @staticmethod
    def _json(document: Document) -> Any:
        text = document.text or ""
        if document.status >= 400:
            try:
                data = document.json()
            except SourceError:
                snippet = " ".join(text[:80].split())
                raise SourceError(f"HTTP {document.status} from {document.url} (not the API's answer: "
                                  f"{snippet!r}; check base_url)") from None
            if isinstance(data, dict) and isinstance(data.get("message"), str):
                raise SourceError(f"{document.url} rejected the query (HTTP {document.status}): "
                                  f"{' '.join(data['message'].split())}")
            raise SourceError(f"HTTP {document.status} from {document.url}")
        return document.json()

    def events(self, change: Change, detected_at: str) -> list[Event]:
        if change.kind == "removed" or change.new is None:
            return []  # an act vanishing from a listing is not a withdrawal of anything
        record = change.new
        act = classify_title(record.fields.get("short_title"))
        if change.kind == "changed":
            before = classify_title(change.old.fields.get("short_title")) if change.old else None
            # A corrected title that newly names a treaty action still deserves its one alert.
            if act is None or (before is not None and before.type == act.type):
                return []
        if act is not None:
            return [self._treaty_event(record, act, detected_at)]
        if change.kind == "added" and self.config.options["all_acts"]:
            return [self._published_event(record, detected_at)]
        return []

    def _details(self, record: Record) -> dict[str, Any]:
        fields = record.fields
        return {"eo_number": record.key, "number": fields.get("number"),
                "document_type": fields.get("document_type"), "document_date": fields.get("document_date"),
                "publication_date": fields.get("publication_date"), "pdf_url": fields.get("pdf_url"),
                "signatory": fields.get("signatory"), "short_title": fields.get("short_title")}

    def _treaty_event(self, record: Record, act: TreatyAct, detected_at: str) -> Event:
        fields = record.fields
        what = f"Russia: {document_label(fields)} on {_ACTION_LABELS[act.action]} {act.treaty}"
        when = ", ".join(x for x in (fields.get("number") and f"№ {fields['number']}",
                                     fields.get("document_date") and f"signed {fields['document_date']}",
                                     fields.get("publication_date") and f"published {fields['publication_date']}")
                         if x)
        return Event(
            id=event_id(self.name, record.key, act.type), type=act.type, source=self.name, key=record.key,
            title=record.title, subject=SUBJECT, summary=f"{what} ({when})" if when else what, url=record.url,
            date=fields.get("document_date"), treaty=Treaty(id=None, title=act.treaty, url=None),
            details={"action": act.action, "treaty": act.treaty, **self._details(record)},
            detected_at=detected_at)

    def _published_event(self, record: Record, detected_at: str) -> Event:
        fields = record.fields
        return Event(
            id=event_id(self.name, record.key, "law_published"), type="law_published", source=self.name,
            key=record.key, title=record.title, subject=SUBJECT,
            summary=f"Russia: {document_label(fields)} published: {fields.get('short_title')}",
            url=record.url, date=fields.get("document_date"), details=self._details(record),
            detected_at=detected_at)
