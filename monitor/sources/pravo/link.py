"""Link a `pravo` treaty act to the catalogue treaty its Russian title names."""

from __future__ import annotations

from monitor.events import Event
from monitor.sources.pravo.events import document_label
from monitor.treaties import Link, RussianMatcher


def reference(event: Event) -> str:
    """How messages cite the act, e.g. "federal law No. 123-ФЗ"."""
    number = event.details.get("number")
    label = document_label({"document_type": event.details.get("document_type"),
                            "signatory": event.details.get("signatory")})
    return f"{label} No. {number}" if number else label


def _english(links: list[Link]) -> str:
    first = links[0].entry.title_en
    text = first if first.lower().startswith("the ") else f"the {first}"
    others = [link.entry.id for link in links[1:]]
    if others:
        text += " and " + (", ".join(others[:-1]) + " and " + others[-1] if len(others) > 1 else others[0])
    return text


def link_events(events: list[Event], matcher: RussianMatcher) -> list[Event]:
    """Give each treaty act whose treaty is still unnamed the catalogue's designation,
    English title and chart, when its Russian name clearly designates one treaty. The
    Russian name stays in `details["treaty"]`; the event's id does not change."""
    for event in events:
        russian = event.details.get("treaty")
        if not russian or event.type == "law_published":
            continue
        event.details.setdefault("reference", reference(event))
        if event.treaty is not None and event.treaty.id:
            continue
        links = matcher.match(russian)
        if not links:
            continue
        event.treaty = links[0].entry.treaty()
        event.details["treaty_links"] = [{"id": l.entry.id, "title": l.entry.title_en, "url": l.entry.url,
                                          "match": l.how} for l in links]
        if event.summary and russian in event.summary:
            event.summary = event.summary.replace(russian, _english(links), 1)
    return events
