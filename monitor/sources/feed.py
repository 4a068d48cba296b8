"""The `feed` kind: RSS and Atom entries as records (parsed by feedparser)."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from monitor.errors import StructureChanged
from monitor.records import Record
from monitor.sources.document import DocumentSource, Extracted


class FeedSource(DocumentSource):
    """Each entry is a record keyed by its id (else link, else title), with the fields
    title, summary, published and link."""

    kind: ClassVar[str] = "feed"

    def expected(self) -> str:
        return "RSS or Atom entries"

    def extract(self, text: str, url: str) -> Extracted:
        import feedparser  # loaded on first use: most cycles parse no feed at all

        parsed = feedparser.parse(text)
        if parsed.bozo and not parsed.entries and not parsed.get("version"):
            reason = str(parsed.get("bozo_exception", "")).splitlines()[0:1]
            raise StructureChanged(f"{url} is not an RSS or Atom feed ({''.join(reason) or 'unknown format'})")
        records = []
        for entry in parsed.entries:  # its fields are fixed: none can be mistyped
            link = entry.get("link")
            key = entry.get("id") or link or entry.get("title")
            if not key:
                key = hashlib.sha256(str(entry.get("summary", "")).encode()).hexdigest()[:16]
            records.append(Record(
                key=key,
                fields={"summary": entry.get("summary"), "published": entry.get("published") or entry.get("updated"),
                        "link": link},
                title=entry.get("title"),
                url=link,
            ))
        return Extracted(records)
