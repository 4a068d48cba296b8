"""The `html` kind: records from a web page by CSS selectors."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, ClassVar
from urllib.parse import urljoin

from monitor import options as o
from monitor.errors import StructureChanged
from monitor.options import Option
from monitor.records import Record
from monitor.settings import SourceConfig
from monitor.sources.document import DOCUMENT_OPTIONS, DocumentSource, Extracted, unmatched_fields

SCOPE = ":scope"
"""The spec that means the item itself."""


def _selector(value: Any) -> str:
    value = o.nonempty_text(value)
    css = value.split("@", 1)[0].strip()
    if css and css != SCOPE and _translated(css, "descendant::") is None:
        import soupsieve  # only for what cssselect does not know (soupsieve loads slowly)

        try:
            soupsieve.compile(css)
        except (soupsieve.SelectorSyntaxError, NotImplementedError) as exc:  # ::before and the like
            raise ValueError(f"invalid CSS selector {css!r}: {str(exc).splitlines()[0]}") from None
    return value


@lru_cache(maxsize=4096)
def _translated(css: str, prefix: str) -> str | None:
    """`css` as an XPath expression, or None when the selector uses what cssselect cannot
    translate (such as :has()); cssselect loads with the first selector checked."""
    from cssselect import HTMLTranslator, SelectorError

    try:
        return HTMLTranslator().css_to_xpath(css, prefix=prefix)
    except SelectorError:
        return None


@lru_cache(maxsize=4096)
def _xpath(css: str, prefix: str) -> Any:
    """`css` compiled to an lxml XPath once (lxml then selects natively), or None when it
    cannot be. lxml loads here, with the first page parsed: a cycle whose pages are all
    unchanged never needs it."""
    from lxml import etree

    expression = _translated(css, prefix)
    if expression is None:
        return None
    try:
        return etree.XPath(expression)
    except etree.XPathError:
        return None


def _text(node: Any) -> str:
    return " ".join(part.strip() for part in node.xpath(".//text()") if part.strip())


class HtmlSource(DocumentSource):
    """Each element matching `items` is a record; `key` and `fields` are read inside it.

    A spec is a CSS selector (the text of its first match), ``selector@attr`` (an attribute
    of the match), ``@attr`` (an attribute of the item itself) or ``:scope`` (the item's text).
    A field whose spec matches nothing (no element, or no such attribute) in any item is
    reported as unmatched; an element that is there but empty is an empty value.
    Fields named ``title`` and ``url`` become the record's title and link (links are made
    absolute). Selectors run on lxml, compiled once; the few that only soupsieve
    understands (``:has()``, ``:contains()`` …) run on BeautifulSoup instead.
    """

    kind: ClassVar[str] = "html"
    options: ClassVar[dict[str, Option]] = {
        **DOCUMENT_OPTIONS,
        "items": Option(_selector, required=True, help="CSS selector matching one element per record"),
        "key": Option(_selector, required=True, help="spec giving each record's stable key"),
        "fields": Option(o.map_of(_selector), {}, help="field name -> spec"),
    }

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        if "@" in config.options.items:
            return ["items: must be a plain CSS selector (no @attribute)"]
        return []

    def expected(self) -> str:
        return f"items selector {self.config.options.items!r}"

    def extract(self, text: str, url: str) -> Extracted:
        options = self.config.options
        specs = {"": options.key, **options.fields}
        fast = _xpath(options.items, "descendant-or-self::") is not None and all(
            _xpath(css, "descendant::") is not None
            for css, _, _ in (spec.partition("@") for spec in specs.values()) if css.strip() not in ("", SCOPE))
        items, read = (self._lxml_items(text) if fast else self._soup_items(text))
        records, matched = [], set()
        for item in items:
            key = read(item, options.key)
            if not key:
                continue
            fields = {name: read(item, spec) for name, spec in options.fields.items()}
            matched.update(name for name, value in fields.items() if value is not None)
            title = fields.pop("title", None)
            link = fields.pop("url", None)
            records.append(Record(key=key, fields=fields, title=title, url=urljoin(url, link) if link else None))
        if items and not records:
            raise StructureChanged(f"{url}: items found but none has a key ({options.key!r})")
        return Extracted(records, unmatched_fields(options.fields, matched, len(records), "selector"))

    def _lxml_items(self, text: str) -> tuple[list[Any], Callable[[Any, str], str | None]]:
        from lxml import etree
        from lxml import html as lxml_html

        try:
            root = lxml_html.document_fromstring(text.encode("utf-8"),
                                                 parser=lxml_html.HTMLParser(encoding="utf-8"))
        except etree.ParserError:  # an empty document
            return [], read_lxml
        return _xpath(self.config.options.items, "descendant-or-self::")(root), read_lxml

    def _soup_items(self, text: str) -> tuple[list[Any], Callable[[Any, str], str | None]]:
        from bs4 import BeautifulSoup

        return BeautifulSoup(text, "lxml").select(self.config.options.items), read_soup


def read_lxml(item: Any, spec: str) -> str | None:
    """Read a spec (``css``, ``css@attr``, ``@attr`` or ``:scope``) inside an lxml element."""
    css, _, attr = spec.partition("@")
    css = css.strip()
    node = item
    if css and css != SCOPE:
        found = _xpath(css, "descendant::")(item)
        if not found:
            return None
        node = found[0]
    return node.get(attr.strip()) if attr else _text(node)


def read_soup(item: Any, spec: str) -> str | None:
    """Read a spec inside a BeautifulSoup element (the slower path)."""
    css, _, attr = spec.partition("@")
    css = css.strip()
    node = item.select_one(css) if css and css != SCOPE else item
    if node is None:
        return None
    if attr:
        value = node.get(attr.strip())
        return " ".join(value) if isinstance(value, list) else value
    return node.get_text(" ", strip=True)
