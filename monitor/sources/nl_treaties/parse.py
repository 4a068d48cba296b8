"""Pure parsers of the Netherlands treaty database: SRU listing pages and a treaty's item XML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from monitor.errors import StructureChanged
from monitor.records import Record, clean_text
from monitor.sources.nl_treaties.reference import CONSENT, PAGE_URL, PARTY_FIELDS
from monitor.sources.parties import party_record

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")


@dataclass(frozen=True)
class Listed:
    """One treaty of the listing: what decides whether its item XML is fetched again."""

    id: str
    title: str | None
    stamp: str
    """`modified` with the work's change time, when given: a new stamp means fetch the item again."""
    item_path: str
    """The path of the English item XML on the repository's host."""
    page_url: str
    depositary: bool | None


@dataclass(frozen=True)
class Listing:
    """One SRU answer: its treaties, the total it announces, and any diagnostic it carries."""

    treaties: list[Listed]
    total: int | None
    diagnostic: str | None


def _xml(text: str, where: str) -> etree._Element:
    try:
        return etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        snippet = " ".join(text[:100].split())
        raise StructureChanged(f"{where}: not XML ({exc}; starts with {snippet!r})") from None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _find(element: etree._Element, name: str) -> list[etree._Element]:
    """Every element named `name` (any namespace) under `element`."""
    return [e for e in element.iter() if _local(e) == name]


def _text(element: etree._Element, name: str) -> str | None:
    found = _find(element, name)
    return clean_text("".join(found[0].itertext())) if found else None


def parse_listing(text: str, where: str) -> Listing:
    """A `searchRetrieve` answer: its records (found by element name), `numberOfRecords`, diagnostics."""
    root = _xml(text, where)
    if _local(root) != "searchRetrieveResponse":
        raise StructureChanged(f"{where}: not an SRU searchRetrieveResponse (root element {_local(root)!r})")
    diagnostics = _find(root, "diagnostics")
    if diagnostics:
        message = " ".join(" ".join("".join(d.itertext()).split()) for d in diagnostics)
        return Listing([], None, message or "an SRU diagnostic")
    total_text = _text(root, "numberOfRecords")
    if total_text is None or not total_text.isdigit():
        raise StructureChanged(f"{where}: the SRU answer has no numberOfRecords")
    treaties = [_listed(record, where) for record in _find(root, "record") if _find(record, "recordData")]
    return Listing(treaties, int(total_text), None)


def _listed(record: etree._Element, where: str) -> Listed:
    identifier = _text(record, "identifier")
    modified = _text(record, "modified")
    if not identifier or not modified:
        raise StructureChanged(f"{where}: a record without identifier or modified (new record shape?)")
    items = {e.get("manifestation"): clean_text(e.text) for e in _find(record, "itemUrl")}
    item = items.get("xml-en")
    if not item:
        raise StructureChanged(f"{where}: treaty {identifier} names no English item XML (itemUrl xml-en)")
    changed = _text(record, "datumTijdstipWijzigingWork")
    depositary = _text(record, "isNLDepositair")
    return Listed(id=identifier, title=_text(record, "title"), stamp=modified + (f"|{changed}" if changed else ""),
                  item_path=urlsplit(item).path,
                  page_url=_text(record, "preferred-enUrl") or PAGE_URL.format(id=identifier),
                  depositary=None if depositary is None else depositary.lower() == "true")


def iso_date(value: str | None, where: str) -> str | None:
    """An item XML date (ISO, or DD-MM-YYYY as the public pages write it) as ISO; other text is a failure."""
    if not value:
        return None
    if match := _ISO.match(value):
        return "-".join(match.groups())
    if match := _DMY.match(value):
        return f"{match[3]}-{match[2]}-{match[1]}"
    raise StructureChanged(f"{where}: {value!r} is not a date this source reads")


def parse_item(text: str, part: str, title: str | None, url: str, where: str) -> list[Record]:
    """The party table (`Partijen`, each `Partij` found by name) of a treaty's item XML as records."""
    root = _xml(text, where)
    tables = _find(root, "Partijen")
    if not tables:
        raise StructureChanged(f"{where}: no Partijen element (not a treaty's item XML, or a new shape)")
    records = []
    for party in (p for table in tables for p in table if _local(p) == "Partij"):
        names = {_local(child) for child in party if _local(child)}
        unknown = names - PARTY_FIELDS
        if unknown:
            raise StructureChanged(f"{where}: unknown party fields {', '.join(sorted(unknown))} (new shape?)")
        state = _text(party, "NaamPartij")
        if not state:
            raise StructureChanged(f"{where}: a Partij without NaamPartij")
        records.append(party_record(part, state, _party_fields(party, f"{where}, {state}"), title, url))
    return records


def _party_fields(party: etree._Element, where: str) -> dict[str, str | None]:
    def date(name: str) -> str | None:
        return iso_date(_text(party, name), where)

    consent_code = _text(party, "TypeInstemming")
    if consent_code and consent_code not in CONSENT:
        raise StructureChanged(f"{where}: unknown TypeInstemming {consent_code!r}")
    denounced, ended = date("DatumOpzegging"), date("DatumBuitenwerkingtreding")
    flags = [label for name, label in (("IsVoorbehoud", "reservation"), ("IsBezwaar", "objection"))
             if (_text(party, name) or "").lower() == "true"]
    return {"signature": date("DatumOndertekenning"), "consent": date("DatumRatificatie"),
            "action": CONSENT.get(consent_code or ""), "entry_into_force": date("DatumInwerkingtreding"),
            "denunciation": denounced, "denunciation_effective": ended if denounced else None,
            "status": f"no longer in force since {ended}" if ended and not denounced else None,
            "reservation": "; ".join(flags) or None}
