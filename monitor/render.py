"""Human-readable text of events, shared by the email and chat channels."""

from __future__ import annotations

import html

from .events import LABELS, Event, changes_of
from .sanitize import web_link
from .stories import also_reported, more_reported

TEST_MARK = "[TEST] "


def label(event: Event) -> str:
    return LABELS.get(event.type, event.type.replace("_", " ").capitalize())


def treaty_title(event: Event) -> str | None:
    return event.treaty.title if event.treaty and event.treaty.title else None


def headline(event: Event, limit: int = 180) -> str:
    """E.g. "Denunciation: Russian Federation — European Convention … (ETS No. 126)"."""
    about = treaty_title(event) or event.title or event.key
    parts = [p for p in (event.subject, about) if p]
    text = f"{label(event)}: {' — '.join(parts)}"
    if event.details.get("test"):
        text = TEST_MARK + text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def event_line(event: Event) -> str:
    """One line for listings, e.g. "[held] ratification: France — Title [2026-01-31] <https://…>"."""
    what = " — ".join(x for x in (event.subject, event.title or event.key) if x)
    mark = f"[{event.hold}] " if event.hold in ("held", "dropped") else ""
    date = f" [{event.date}]" if event.date else ""
    url = f" <{event.url}>" if event.url else ""
    story = f" (story {event.story})" if event.story else ""
    return f"{mark}{event.type}: {what}{date}{url}{story}"


def facts(event: Event) -> list[tuple[str, str]]:
    """The event's facts as (label, value) pairs, in reading order, unknowns left out."""
    treaty = event.treaty
    rows = [
        ("Action", label(event) + (f" ({event.details['action']})" if event.details.get("action")
                                   and event.details["action"] != event.type else "")),
        ("State", event.subject if event.subject != event.key else None),
        ("Treaty", treaty_title(event)),
        ("Title", event.title if event.title != treaty_title(event) else None),
        ("Summary", event.summary),
        ("Record", event.key or None),
        *(("Changed", change_text(name, value)) for name, value in changes_of(event).items()),
        ("Date", event.date),
        ("Effective", event.effective_date),
        ("Official link", event.url),
        ("Treaty page", treaty.url if treaty and treaty.url != event.url else None),
        ("Seen by", event.source),
        ("Detected", event.detected_at),
        ("Event id", event.id),
        ("Story", event.story if event.related else None),
    ]
    rows += [("Also reported", also_reported(entry)) for entry in event.related]
    rows.append(("Also reported", more_reported(event)))
    return [(name, str(value)) for name, value in rows if value]


def brief(event: Event) -> str:
    """A summary that does not repeat the headline: the event's own summary, else its facts."""
    title = headline(event, limit=1000)
    if event.summary and event.summary not in title:
        return event.summary
    skip = {"Action", "Title", "Summary", "Treaty", "Event id", "Detected", "Seen by"}
    return "; ".join(f"{name}: {value}" for name, value in facts(event) if name not in skip)


def change_text(name: str, value: dict) -> str:
    """E.g. `note: "" → "Denunciation, 01/11/2026"`."""
    old, new = (value.get(side) if isinstance(value, dict) else None for side in ("old", "new"))
    return f"{name}: \"{old or ''}\" → \"{new or ''}\""


def plain_text(events: list[Event]) -> str:
    blocks = []
    for event in events:
        lines = [headline(event, limit=1000), ""]
        lines += [f"{name}: {value}" for name, value in facts(event)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n\n-- \nSent by legal-monitor.\n"


def html_text(events: list[Event]) -> str:
    """An HTML body; every value is escaped, and only http(s) links become anchors."""
    parts = ["<!DOCTYPE html><html><body style=\"font-family: sans-serif\">"]
    for event in events:
        parts.append(f"<h2>{html.escape(headline(event, limit=1000))}</h2><table>")
        for name, value in facts(event):
            shown = html.escape(value)
            if web_link(value):
                shown = f"<a href=\"{html.escape(value, quote=True)}\">{shown}</a>"
            parts.append(f"<tr><th align=\"left\" valign=\"top\">{html.escape(name)}</th><td>{shown}</td></tr>\n")
        parts.append("</table>")
    parts.append("<p style=\"color:#666\">Sent by legal-monitor.</p></body></html>")
    return "".join(parts)
