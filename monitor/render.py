"""Alert text in words: the one headline and short summary every channel, feed and page shows."""

from __future__ import annotations

import html
from typing import Any

from monitor.events import LABELS, Event, changes_of
from monitor.text import web_link
from monitor.treaties import also_reported, more_reported

TEST_MARK = "[TEST] "


def label(event: Event) -> str:
    return LABELS.get(event.type, event.type.replace("_", " ").capitalize())


def is_test(event: Event) -> bool:
    """Whether the event is a made-up one of `test-alert`."""
    return bool(event.details.get("test"))


def treaty_title(event: Event) -> str | None:
    return event.treaty.title if event.treaty and event.treaty.title else None


def treaty_name(event: Event) -> str | None:
    """The treaty as a reader knows it: its title, else its id."""
    return treaty_title(event) or (event.treaty.id if event.treaty and event.treaty.id else None)


def own_title(event: Event) -> str | None:
    """The event's own title, unless it is only the line a generic record without a title is
    given (`source: key — field: "" → "…"`): that diff belongs to the details, not the headline."""
    title = event.title
    if title and title.startswith(f"{event.source}: {event.key} — "):
        return None
    return title


def about(event: Event) -> str | None:
    """What the headline says the event is about: the treaty's title, else the record's own
    title, else the treaty's id, else the record's key."""
    return (treaty_title(event) or own_title(event) or treaty_name(event)
            or (event.key if event.key != event.subject else None) or None)


def headline(event: Event, limit: int = 180) -> str:
    """E.g. "Denunciation: Russian Federation — European Convention … (ETS No. 126)"."""
    parts = [p for p in (event.subject, about(event)) if p]
    text = f"{label(event)}: {' — '.join(parts)}" if parts else label(event)
    if is_test(event):
        text = TEST_MARK + text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def event_line(event: Event) -> str:
    """One line for listings, e.g. "[held] Ratification: France — Title [2026-01-31] <https://…>"."""
    mark = f"[{event.hold}] " if event.hold in ("held", "dropped") else ""
    date = f" [{event.date}]" if event.date else ""
    url = f" <{event.url}>" if event.url else ""
    story = f" (story {event.story})" if event.story else ""
    return f"{mark}{headline(event, limit=1000)}{date}{url}{story}"


def summary_facts(event: Event) -> list[tuple[str, str]]:
    """The short summary as (label, value) pairs: action, state, treaty, date, effective date,
    source and link, unknowns left out (a test alert says so first)."""
    action = event.details.get("action")
    rows = [
        ("Test", "no real treaty action" if is_test(event) else None),
        ("Action", label(event) + (f" ({action})" if action and action != event.type else "")),
        ("State", event.subject),
        ("Treaty", treaty_name(event)),
        ("Date", event.date or (f"{event.date_text} (as the source writes it)" if event.date_text else None)),
        ("Effective", event.effective_date),
        ("Source", event.source),
        ("Official link", event.url),
    ]
    return [(name, str(value)) for name, value in rows if value]


def detail_facts(event: Event) -> list[tuple[str, str]]:
    """What follows the summary: the source's own title and summary, the record and what
    changed in it, the treaty's page, when it was seen, the ids, and other reports of it."""
    treaty = event.treaty
    title = own_title(event) if event.title != treaty_title(event) else None
    rows: list[tuple[str, Any]] = [
        ("Title", title),
        ("Summary", event.summary if event.summary != event.title else None),
        ("Record", event.key if event.key and event.key != event.subject else None),
        *(("Changed", change_text(name, value)) for name, value in changes_of(event).items()),
        ("Treaty page", treaty.url if treaty and treaty.url != event.url else None),
        ("Detected", event.detected_at),
        ("Event id", event.id),
        ("Story", event.story if event.related else None),
    ]
    rows += [("Also reported", also_reported(entry)) for entry in event.related]
    rows.append(("Also reported", more_reported(event)))
    return [(name, str(value)) for name, value in rows if value]


def facts(event: Event) -> list[tuple[str, str]]:
    """The summary, then the details: everything a message says of an event, in reading order."""
    return summary_facts(event) + detail_facts(event)


def brief(event: Event) -> str:
    """The short summary on one line, e.g. "Action: Denunciation; State: Russian Federation; …"."""
    return "; ".join(f"{name}: {value}" for name, value in summary_facts(event))


def change_text(name: str, value: dict) -> str:
    """E.g. `note: "" → "Denunciation, 01/11/2026"`."""
    old, new = (value.get(side) if isinstance(value, dict) else None for side in ("old", "new"))
    return f"{name}: \"{old or ''}\" → \"{new or ''}\""


def plain_text(events: list[Event]) -> str:
    """A text body: each event's headline, its summary lines, then its details."""
    blocks = []
    for event in events:
        lines = [headline(event, limit=1000), ""]
        lines += [f"{name}: {value}" for name, value in summary_facts(event)]
        lines += [""] + [f"{name}: {value}" for name, value in detail_facts(event)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n\n-- \nSent by legal-monitor.\n"


def _html_rows(pairs: list[tuple[str, str]]) -> str:
    rows = []
    for name, value in pairs:
        shown = html.escape(value)
        if web_link(value):
            shown = f"<a href=\"{html.escape(value, quote=True)}\">{shown}</a>"
        rows.append(f"<tr><th align=\"left\" valign=\"top\">{html.escape(name)}</th><td>{shown}</td></tr>\n")
    return "".join(rows)


def html_text(events: list[Event]) -> str:
    """An HTML body; every value is escaped, and only http(s) links become anchors."""
    parts = ["<!DOCTYPE html><html><body style=\"font-family: sans-serif\">"]
    for event in events:
        parts.append(f"<h2>{html.escape(headline(event, limit=1000))}</h2>")
        parts.append(f"<table>{_html_rows(summary_facts(event))}</table>")
        parts.append(f"<table style=\"color:#555;font-size:smaller\">{_html_rows(detail_facts(event))}</table>")
    parts.append("<p style=\"color:#666\">Sent by legal-monitor.</p></body></html>")
    return "".join(parts)


def event_headers(*events: Event) -> dict[str, str]:
    """The message headers naming what is sent: `X-Legal-Monitor-Event` (the event types, or
    "test" for a test alert, which claims no real action) and `X-Legal-Monitor-Test`."""
    test = any(is_test(e) for e in events)
    types = "test" if test else ", ".join(sorted({e.type for e in events}))
    return {"X-Legal-Monitor-Event": types, "X-Legal-Monitor-Test": "true" if test else "false"}


def shown_event(event: Event) -> dict[str, Any]:
    """An event's fields with the `headline` and `summary` it is shown with (the CLI's JSON)."""
    return {**event.to_dict(), "headline": headline(event), "summary_line": brief(event)}
