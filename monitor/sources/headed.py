"""HTML tables read by header name: the table that names a party column, its cells by field, loud on any other shape."""

from __future__ import annotations

from typing import Any, Callable

from monitor.errors import StructureChanged
from monitor.records import clean_text


def html_root(text: str, where: str) -> Any:
    """The parsed page; an empty answer or one that is no HTML is a failure."""
    from lxml import html as lxml_html  # loaded where a page is parsed

    if not text.strip():
        raise StructureChanged(f"{where}: empty page")
    try:
        return lxml_html.fromstring(text)
    except Exception as exc:  # lxml's errors for markup it cannot read at all
        raise StructureChanged(f"{where}: not an HTML page ({exc})") from None


def heading(root: Any) -> str | None:
    """The page's first `<h1>` or `<h2>`, as text."""
    heads = root.xpath("//h1|//h2")
    return clean_text(heads[0].text_content()) if heads else None


def _headers(table: Any) -> list[str]:
    head = table.find(".//tr")
    return [] if head is None else [" ".join(c.text_content().split()) for c in head.findall("th")]


def named_rows(root: Any, column: Callable[[str], str | None], missing: str, where: str) -> list[dict[str, Any]]:
    """The rows of every table one of whose headers `column` reads as "state", each as field ->
    cell element. A header `column` does not know, a row of another width, or no such table at
    all (`missing` says what that means) is a failure."""
    tables = [t for t in root.iter("table") if "state" in map(column, _headers(t))]
    if not tables:
        raise StructureChanged(f"{where}: {missing}")
    rows = []
    for table in tables:
        headers = _headers(table)
        fields = [column(h) for h in headers]
        unknown = [h for h, f in zip(headers, fields, strict=False) if f is None]
        if unknown:
            raise StructureChanged(f"{where}: unknown columns {unknown} (a new table shape?)")
        for row in table.iter("tr"):
            cells = row.findall("td")
            if not cells:
                continue
            if len(cells) != len(fields):
                raise StructureChanged(f"{where}: a row of {len(cells)} cells under {len(fields)} headers")
            rows.append(dict(zip(fields, cells, strict=False)))
    return rows
