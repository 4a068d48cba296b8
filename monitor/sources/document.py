"""DocumentSource: the shared shape of the generic kinds, one URL parsed into records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from monitor import options as o
from monitor.diff import Change
from monitor.errors import StructureChanged
from monitor.events import Event
from monitor.net import SourceContext
from monitor.options import Option
from monitor.records import Record
from monitor.sources.base import Part, Source
from monitor.sources.generic import context_of, generic_events, unread_dates
from monitor.text import plural

SHOWN_PROBLEMS = 3
"""Values named in a check's message about dates it could not read; the rest are counted."""


def _treaty(value: Any) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise ValueError("must be a table such as { id = \"ETS 5\", title = \"…\", url = \"https://…\" }")
    unknown = sorted(set(value) - {"id", "title", "url"})
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: id, title, url)")
    if not value:
        raise ValueError("give at least one of id, title, url")
    treaty: dict[str, str | None] = {}
    for key in ("id", "title", "url"):
        try:
            treaty[key] = (o.url if key == "url" else o.nonempty_text)(value[key]) if key in value else None
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    return treaty


def _date_format(value: Any) -> str:
    value = o.nonempty_text(value)
    if "%" not in value:
        raise ValueError(f"must be a strftime pattern such as \"%d/%m/%Y\", not {value!r}")
    sample = date(2026, 11, 30)
    try:
        back = datetime.strptime(sample.strftime(value), value).date()
    except ValueError as exc:
        raise ValueError(f"{value!r} cannot read back the dates it writes: {exc}") from None
    if back != sample:
        raise ValueError(f"{value!r} does not give a full date (day, month and year)")
    return value


DOCUMENT_OPTIONS: dict[str, Option] = {
    "url": Option(o.url, required=True, help="the page or document to watch"),
    "keywords": Option(o.text_list, [], help="keep only records whose text contains one of these"),
    "allow_empty": Option(o.boolean, False, help="a document with no items is not a failure"),
    "treaty": Option(_treaty, None, help="the treaty this source is about: { id, title, url }"),
    "date_format": Option(_date_format, None, help="how the portal writes dates (strftime), e.g. \"%d/%m/%Y\""),
}


@dataclass
class Extracted:
    """The records a document gives, and its configured fields that matched nothing."""

    records: list[Record]
    unmatched: list[str] = field(default_factory=list)
    """One line per field whose selector or path matched nothing in any item."""


class DocumentSource(Source):
    """A source that watches one document. Subclasses implement `extract`.

    A configured field that matches nothing in any item of a document that has items is a
    structure failure (a typo in a selector is loud, not a column of blanks); with
    `date_format` set, an action field's value it cannot read makes the check partial."""

    options: ClassVar[dict[str, Option]] = DOCUMENT_OPTIONS
    extraction: ClassVar[tuple[str, ...]] = ("url", "keywords", "items", "key", "fields")

    async def collect(self, ctx: SourceContext) -> list[Part]:
        url = self.config.options.url
        document = await ctx.get(url)
        if not document.changed:
            return [Part(records=None, allow_empty=self.config.options.allow_empty)]
        assert document.text is not None
        extracted = self.extract(document.text, document.url)
        records = extracted.records
        if not records and not self.config.options.allow_empty:
            raise StructureChanged(f"no items found in {document.url} ({self.expected()}); "
                                   "set allow_empty = true if that is normal")
        keep = keep_matching(records, self.config.options.keywords)
        part = Part(records=keep, items=len(records), allow_empty=self.config.options.allow_empty)
        if extracted.unmatched:  # records read for `preview`; the check fails on the error
            part.error, part.structural = "; ".join(extracted.unmatched), True
        else:
            part.warning = summary(unread_dates(keep, self.config.options.date_format), "value")
        return [part]

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        return generic_events(self.name, change, detected_at, context_of(self.config.options))

    def parse(self, text: str, url: str) -> list[Record]:
        """The records of the document's text; StructureChanged on a foreign shape."""
        return self.extract(text, url).records

    def extract(self, text: str, url: str) -> Extracted:
        """Turn the document's text into records, noting the fields that matched nothing;
        raise StructureChanged on a foreign shape."""
        raise NotImplementedError

    def expected(self) -> str:
        """What the parser looked for, for failure messages."""
        return ""


def unmatched_fields(specs: dict[str, str], matched: set[str], items: int, what: str) -> list[str]:
    """A line for each configured field (name -> spec) not in `matched`, once items were found."""
    if not items:
        return []
    return [f"field {name!r}: {what} {spec!r} matches nothing in the {plural(items, 'item')} found"
            for name, spec in specs.items() if name not in matched]


def summary(problems: list[str], noun: str) -> str | None:
    """The first few problems in one line, and how many more there are; None for none."""
    if not problems:
        return None
    text = "; ".join(problems[:SHOWN_PROBLEMS])
    if len(problems) > SHOWN_PROBLEMS:
        text += f"; and {plural(len(problems) - SHOWN_PROBLEMS, 'more ' + noun)}"
    return text


def keep_matching(records: list[Record], keywords: list[str]) -> list[Record]:
    """The records whose text contains any keyword (case-insensitive); all when none given."""
    if not keywords:
        return records
    wanted = [k.lower() for k in keywords]
    return [r for r in records if any(k in r.text().lower() for k in wanted)]
