"""`pravo` events: a treaty act, or any act published, described in English."""

from __future__ import annotations

from typing import Any

from monitor.events import Event, Treaty, make_event
from monitor.records import Record
from monitor.sources.pravo.titles import TreatyAct

SUBJECT = "Russian Federation"
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


def details(record: Record) -> dict[str, Any]:
    """What every `pravo` event carries about its act."""
    fields = record.fields
    return {"eo_number": record.key, "number": fields.get("number"),
            "document_type": fields.get("document_type"), "document_date": fields.get("document_date"),
            "publication_date": fields.get("publication_date"), "pdf_url": fields.get("pdf_url"),
            "signatory": fields.get("signatory"), "short_title": fields.get("short_title")}


def treaty_event(source: str, record: Record, act: TreatyAct, detected_at: str) -> Event:
    """A treaty act: its type is the action the title starts with."""
    fields = record.fields
    what = f"Russia: {document_label(fields)} on {_ACTION_LABELS[act.action]} {act.treaty}"
    when = ", ".join(x for x in (fields.get("number") and f"№ {fields['number']}",
                                 fields.get("document_date") and f"signed {fields['document_date']}",
                                 fields.get("publication_date") and f"published {fields['publication_date']}")
                     if x)
    return make_event(source, record.key, act.type, title=record.title, subject=SUBJECT,
                      summary=f"{what} ({when})" if when else what, url=record.url,
                      date=fields.get("document_date"), treaty=Treaty(id=None, title=act.treaty, url=None),
                      details={"action": act.action, "treaty": act.treaty, **details(record)},
                      detected_at=detected_at)


def published_event(source: str, record: Record, detected_at: str) -> Event:
    """Any other act, when `all_acts` is set."""
    fields = record.fields
    return make_event(source, record.key, "law_published", title=record.title, subject=SUBJECT,
                      summary=f"Russia: {document_label(fields)} published: {fields.get('short_title')}",
                      url=record.url, date=fields.get("document_date"), details=details(record),
                      detected_at=detected_at)
