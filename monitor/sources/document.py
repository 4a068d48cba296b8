"""DocumentSource: the shared shape of the generic kinds, one URL parsed into records."""

from __future__ import annotations

from typing import ClassVar

from .. import options as o
from ..context import SourceContext
from ..errors import StructureChanged
from ..options import Option
from ..records import Record
from .base import Part, Source

DOCUMENT_OPTIONS: dict[str, Option] = {
    "url": Option(o.url, required=True, help="the page or document to watch"),
    "keywords": Option(o.text_list, [], help="keep only records whose text contains one of these"),
    "allow_empty": Option(o.boolean, False, help="a document with no items is not a failure"),
}


class DocumentSource(Source):
    """A source that watches one document. Subclasses implement `parse`."""

    options: ClassVar[dict[str, Option]] = DOCUMENT_OPTIONS

    async def collect(self, ctx: SourceContext) -> list[Part]:
        url = self.config.options["url"]
        document = await ctx.get(url)
        if not document.changed:
            return [Part(records=None, allow_empty=self.config.options["allow_empty"])]
        assert document.text is not None
        records = self.parse(document.text, document.url)
        if not records and not self.config.options["allow_empty"]:
            raise StructureChanged(f"no items found in {document.url} ({self.expected()}); "
                                   "set allow_empty = true if that is normal")
        keep = keep_matching(records, self.config.options["keywords"])
        return [Part(records=keep, items=len(records), allow_empty=self.config.options["allow_empty"])]

    def parse(self, text: str, url: str) -> list[Record]:
        """Turn the document's text into records; raise StructureChanged on a foreign shape."""
        raise NotImplementedError

    def expected(self) -> str:
        """What the parser looked for, for failure messages."""
        return ""


def keep_matching(records: list[Record], keywords: list[str]) -> list[Record]:
    """The records whose text contains any keyword (case-insensitive); all when none given."""
    if not keywords:
        return records
    wanted = [k.lower() for k in keywords]
    return [r for r in records if any(k in r.text().lower() for k in wanted)]
