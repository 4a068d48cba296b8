"""The `html` kind: records from a web page by CSS selectors."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from soupsieve import SelectorSyntaxError
import soupsieve

from .. import options as o
from ..config import SourceConfig
from ..errors import StructureChanged
from ..options import Option
from ..records import Record
from .document import DOCUMENT_OPTIONS, DocumentSource


def _selector(value: Any) -> str:
    value = o.nonempty_text(value)
    css = value.split("@", 1)[0].strip()
    if css:
        try:
            soupsieve.compile(css)
        except SelectorSyntaxError as exc:
            raise ValueError(f"invalid CSS selector {css!r}: {str(exc).splitlines()[0]}") from None
    return value


def _selector_map(value: Any) -> dict[str, str]:
    mapping = o.text_map(value)
    for name, spec in mapping.items():
        try:
            _selector(spec)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return mapping


class HtmlSource(DocumentSource):
    """Each element matching `items` is a record; `key` and `fields` are read inside it.

    A spec is a CSS selector (the text of its first match), ``selector@attr`` (an attribute
    of the match), ``@attr`` (an attribute of the item itself) or ``:scope`` (the item's text). Fields named ``title`` and
    ``url`` become the record's title and link (links are made absolute).
    """

    kind: ClassVar[str] = "html"
    options: ClassVar[dict[str, Option]] = {
        **DOCUMENT_OPTIONS,
        "items": Option(_selector, required=True, help="CSS selector matching one element per record"),
        "key": Option(_selector, required=True, help="spec giving each record's stable key"),
        "fields": Option(_selector_map, {}, help="field name -> spec"),
    }

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        if "@" in config.options["items"]:
            return ["items: must be a plain CSS selector (no @attribute)"]
        return []

    def expected(self) -> str:
        return f"items selector {self.config.options['items']!r}"

    def parse(self, text: str, url: str) -> list[Record]:
        soup = BeautifulSoup(text, "lxml")
        records = []
        options = self.config.options
        for item in soup.select(options["items"]):
            key = read_spec(item, options["key"])
            if not key:
                continue
            fields = {name: read_spec(item, spec) for name, spec in options["fields"].items()}
            title = fields.pop("title", None)
            link = fields.pop("url", None)
            records.append(Record(key=key, fields=fields, title=title,
                                  url=urljoin(url, link) if link else None))
        if soup.select(options["items"]) and not records:
            raise StructureChanged(f"{url}: items found but none has a key ({options['key']!r})")
        return records


def read_spec(item: Tag, spec: str) -> str | None:
    """Read a spec (``css``, ``css@attr`` or ``@attr``) inside `item`."""
    css, _, attr = spec.partition("@")
    css = css.strip()
    node = item.select_one(css) if css and css != ":scope" else item
    if node is None:
        return None
    if attr:
        value = node.get(attr.strip())
        return " ".join(value) if isinstance(value, list) else value
    return node.get_text(" ", strip=True)
