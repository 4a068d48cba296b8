"""The `json` kind: records from a JSON document by dotted paths."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from monitor import options as o
from monitor.errors import StructureChanged
from monitor.options import Option
from monitor.records import Record
from monitor.sources.document import DOCUMENT_OPTIONS, DocumentSource, Extracted, unmatched_fields

_MISSING = object()


class JsonSource(DocumentSource):
    """`items` is a dotted path to a list (empty: the document itself); `key` and `fields`
    are dotted paths inside each item. Numbers in a path index lists (``rows.0.name``). A
    field whose path leads nowhere in any item is reported as unmatched; a null is a value."""

    kind: ClassVar[str] = "json"
    options: ClassVar[dict[str, Option]] = {
        **DOCUMENT_OPTIONS,
        "items": Option(o.text, "", help="dotted path to the list of items"),
        "key": Option(o.nonempty_text, required=True, help="dotted path to each item's key"),
        "fields": Option(o.text_map, {}, help="field name -> dotted path"),
    }

    def expected(self) -> str:
        return f"a list at {self.config.options.items or 'the top level'!r}"

    def extract(self, text: str, url: str) -> Extracted:
        try:
            document = json.loads(text)
        except ValueError:
            raise StructureChanged(f"{url} did not answer JSON (starts with {text[:80]!r})") from None
        options = self.config.options
        items = dig(document, options.items)
        if not isinstance(items, list):
            raise StructureChanged(f"{url}: no list at {options.items or 'the top level'!r}")
        records, matched = [], set()
        for item in items:
            key = dig(item, options.key)
            if key is _MISSING or key is None:
                continue
            found = {name: dig(item, path) for name, path in options.fields.items()}
            matched.update(name for name, value in found.items() if value is not _MISSING)
            fields = {name: _flat(value) for name, value in found.items()}
            title, link = fields.pop("title", None), fields.pop("url", None)
            records.append(Record(key=_flat(key) or "", fields=fields, title=title, url=link))
        if items and not records:
            raise StructureChanged(f"{url}: items found but none has a key at {options.key!r}")
        return Extracted(records, unmatched_fields(options.fields, matched, len(records), "path"))


def dig(value: Any, path: str) -> Any:
    """Follow a dotted path through dicts and lists; `_MISSING` when it leads nowhere."""
    for step in [p for p in path.split(".") if p]:
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit() and -len(value) <= int(step) < len(value):
            value = value[int(step)]
        else:
            return _MISSING
    return value


def _flat(value: Any) -> str | None:
    if value is _MISSING or value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
