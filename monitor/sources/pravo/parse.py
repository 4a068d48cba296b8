"""`/api/Documents` answers as records: pure functions, bytes decoded by the caller, no network."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from monitor.errors import SourceError, StructureChanged
from monitor.records import Record, clean_text
from monitor.sources.pravo.reference import (
    DOCUMENT_TYPES,
    MAX_DAY_ITEMS,
    MAX_PAGES,
    PAGE_SIZE,
    SIGNATORIES,
    TYPE_NAMES,
    norm,
)
from monitor.sources.pravo.titles import act_header, short_title, strip_quotes

_EO_NUMBER = re.compile(r"^\d{8,20}$")

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
        folded = norm(header_type)
        known = [name for name in DOCUMENT_TYPES if folded.startswith(norm(name))]
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
    header = act_header(head)
    if name and clean_text(name) != clean_text(complex_name) and not act_header(clean_text(name) or ""):
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

