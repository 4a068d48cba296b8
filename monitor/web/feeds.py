"""The feeds of a page of events: Atom (RFC 4287), JSON Feed 1.1 and /events.json, with their links."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.events import LABELS, Event
from monitor.payload import payload, urn_text
from monitor.render import brief, facts, headline
from monitor.store import Filters
from monitor.text import web_link
from monitor.treaties import also_reported, more_reported

ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED = "https://jsonfeed.org/version/1.1"
NEVER = "1970-01-01T00:00:00+00:00"
"""The `updated` of a feed of a database that holds no event yet."""
_HOST = re.compile(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


@dataclass(eq=False, repr=False)
class FeedPage:
    """What a feed shows: one page of events (newest first) of one filter, and where it is."""

    events: list[Event]
    filters: Filters
    origin: str
    """`http://host:port`, the address the request was sent to."""
    before: int | None = None
    """This page's cursor (None for the first page)."""
    older: int | None = None
    """The next page's cursor, when there are older events."""
    query: str | None = None
    """The query string as requested: the Atom feed's `self` is where it was fetched from."""
    newest: str | None = None
    """When the newest event of the whole database was detected: an empty feed's `updated`."""
    ranks: dict[str, int] = field(default_factory=dict)
    """Each event's place among those detected at the same moment (`queries.moment_ranks`)."""

    def url(self, path: str, before: int | None = None) -> str:
        query = self.filters.query(before=before)
        return f"{self.origin}{path}" + (f"?{query}" if query else "")

    def next_url(self, path: str) -> str | None:
        return None if self.older is None else self.url(path, self.older)


def origin(host: str | None, fallback: str) -> str:
    """`http://` and the request's Host when it is a plain host[:port], else the listen address."""
    return "http://" + (host if host and _HOST.fullmatch(host) else fallback)


def feed_id(filters: Filters) -> str:
    """Stable per filter: `urn:legal-monitor:events` for the default feed (as before), else with
    each filter set, sorted, e.g. `urn:legal-monitor:events:subject=Russian%20Federation;type=denunciation`."""
    values = {"type": filters.type, "subject": filters.subject, "source": filters.source,
              "treaty": filters.treaty, "since": filters.since}
    parts = [f"{name}={urn_text(value)}" for name, value in sorted(values.items()) if value]
    return "urn:legal-monitor:events" + (":" + ";".join(parts) if parts else "")


def feed_title(filters: Filters) -> str:
    """E.g. "legal-monitor: Denunciation events — Russian Federation, source coe"."""
    what = f"{LABELS.get(filters.type, filters.type)} events" if filters.type else "treaty actions"
    about = [filters.subject, *(f"{name} {value}" for name, value in (
        ("source", filters.source), ("treaty", filters.treaty), ("since", filters.since)) if value)]
    return f"legal-monitor: {what}" + (" — " + ", ".join(p for p in about if p) if any(about) else "")


def entry_updated(page: FeedPage, event: Event) -> str:
    """When the event was detected, to the microsecond: the events of one check share its
    millisecond, and the n-th of them written is n µs later, so no two entries share `updated`."""
    moment = datetime.fromisoformat(event.detected_at or NEVER)
    return (moment + timedelta(microseconds=min(page.ranks.get(event.id, 0), 999))).isoformat(timespec="microseconds")


def feed_updated(page: FeedPage) -> str:
    """The newest entry's `updated`; for an empty page, the database's newest event (or NEVER)."""
    if not page.events:
        return datetime.fromisoformat(page.newest or NEVER).isoformat(timespec="microseconds")
    return max(entry_updated(page, e) for e in page.events)


def last_modified(page: FeedPage) -> str:
    """What HTTP validators go by: the feed's `updated`, or a later report of one of its
    entries' actions by another source (its "Also reported" line)."""
    reported = [r.get("detected_at") or NEVER for e in page.events for r in e.related]
    return max([feed_updated(page), *reported])


def summary_text(event: Event) -> str:
    """The brief text of an event with each "Also reported" line exactly once."""
    text = brief(event)
    reports = [*map(also_reported, event.related), more_reported(event)]
    lines = [f"Also reported: {report}" for report in reports if report]
    return "\n".join([text, *(line for line in lines if line not in text)])


def content_html(event: Event) -> str:
    """The event's facts as an HTML table; every value escaped, only http(s) links are anchors."""
    rows = []
    for name, value in facts(event):
        shown = html.escape(value)
        if web_link(value):
            shown = f'<a href="{html.escape(value, quote=True)}">{shown}</a>'
        rows.append(f"<tr><th>{html.escape(name)}</th><td>{shown}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def atom_feed(page: FeedPage) -> bytes:
    """The Atom document of `page`: its own id and title, self/alternate/next links."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "title", feed_title(page.filters))
    add(feed, "id", feed_id(page.filters))
    add(feed, "updated", feed_updated(page))
    add(add(feed, "author"), "name", "legal-monitor")
    own = f"{page.origin}/events.atom" + (f"?{page.query}" if page.query else "")
    add(feed, "link", rel="self", type="application/atom+xml",
        href=page.url("/events.atom", page.before) if page.query is None else own)
    add(feed, "link", rel="alternate", type="text/html", href=page.url("/events", page.before))
    add(feed, "link", rel="alternate", type="application/feed+json", href=page.url("/feed.json", page.before))
    if page.older is not None:
        add(feed, "link", rel="next", type="application/atom+xml", href=page.url("/events.atom", page.older))
    add(feed, "generator", "legal-monitor")
    for event in page.events:
        entry = add(feed, "entry")
        add(entry, "id", f"urn:legal-monitor:event:{event.id}")
        add(entry, "title", headline(event, limit=300))
        add(entry, "published", event.detected_at or NEVER)
        add(entry, "updated", entry_updated(page, event))
        if event.url:
            add(entry, "link", rel="alternate", href=event.url)
        add(entry, "summary", summary_text(event))
        add(entry, "content", content_html(event), type="html")
        add(entry, "category", term=event.type, label=LABELS.get(event.type, event.type))
        if event.story:
            add(entry, "category", term=f"story:{event.story}", label="story")
        for other in event.related:
            if other.get("url") and other["url"] != event.url:
                add(entry, "link", rel="related", href=other["url"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def json_feed(page: FeedPage) -> bytes:
    """The JSON Feed 1.1 document of `page`; each item's `_legal_monitor` is its event@1 payload."""
    document = {
        "version": JSON_FEED, "title": feed_title(page.filters),
        "home_page_url": page.url("/events", page.before), "feed_url": page.url("/feed.json", page.before),
        "description": f"Events detected by legal-monitor ({feed_id(page.filters)})",
        "items": [{
            "id": event.id, **({"url": event.url} if event.url else {}), "title": headline(event, limit=300),
            "content_text": summary_text(event), "content_html": content_html(event),
            "date_published": event.detected_at or NEVER, "date_modified": entry_updated(page, event),
            "tags": [event.type], "_legal_monitor": payload(event),
        } for event in page.events],
    }
    if page.older is not None:
        document["next_url"] = page.url("/feed.json", page.older)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def events_json(page: FeedPage) -> bytes:
    """/events.json: the bare list of event@1 payloads (unchanged for existing scripts), compact
    as the webhook sends them (the C encoder: with indent, json encodes in Python, 3× slower)."""
    return json.dumps([payload(e) for e in page.events], ensure_ascii=False, separators=(",", ":")).encode()


def link_header(page: FeedPage, path: str) -> dict[str, str]:
    """`Link: <…?before=N>; rel="next"` when there is an older page (RFC 8288)."""
    following = page.next_url(path)
    return {"Link": f'<{following}>; rel="next"'} if following else {}
