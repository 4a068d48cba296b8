"""`legal-monitor preview SOURCE`: fetch once and show the records the settings extract.

Nothing is written and nobody is alerted: no state database is opened at all."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field

from . import sources
from .context import SourceContext
from .errors import MonitorError, SourceError
from .fetch import Fetcher
from .records import Record
from .sanitize import shown_error
from .settings import Config


@dataclass
class Preview:
    """The records one fetch of a source gives, and the parts that failed."""

    source: str
    kind: str
    records: list[Record] = field(default_factory=list)
    items: int = 0
    """Items found before keyword filtering."""
    errors: list[str] = field(default_factory=list)


async def take_preview(config: Config, name: str) -> Preview:
    """Fetch and parse `name` once, with no stored state (every document is new)."""
    source_config = config.source(name)
    source = sources.create(source_config)
    result = Preview(name, source_config.kind)
    secrets = set(source_config.params)
    async with Fetcher([source_config]) as fetcher:
        ctx = SourceContext(fetcher, source_config, {}, {}, lambda key: None, source.error_markers)
        try:
            parts = await source.collect(ctx)
        except SourceError as exc:
            result.errors.append(shown_error(str(exc), secrets))
            return result
    for part in parts:
        if part.error:
            error = shown_error(str(part.error), secrets)
            result.errors.append(f"{part.name}: {error}" if part.name else error)
        result.records += part.records or []
        result.items += part.items or 0
    return result


def cmd_preview(args: argparse.Namespace, config: Config) -> int:
    known = [s.name for s in config.sources]
    if args.source not in known:
        raise MonitorError(f"unknown source {args.source!r} (known: {', '.join(sorted(known)) or 'none'})")
    result = asyncio.run(take_preview(config, args.source))
    shown = result.records[: max(args.limit, 0)]
    if args.json:
        print(json.dumps({"source": result.source, "kind": result.kind, "count": len(result.records),
                          "items": result.items, "errors": result.errors,
                          "records": [{"key": r.key, "title": r.title, "url": r.url, "fields": r.fields}
                                      for r in shown]}, ensure_ascii=False, indent=2))
    else:
        print(_text(result, shown))
    for error in result.errors:
        print(f"legal-monitor: preview of {result.source}: {error}", file=sys.stderr)
    return 1 if result.errors else 0


def _text(result: Preview, shown: list[Record]) -> str:
    count = len(result.records)
    head = f"{result.source} ({result.kind}): {count} record{'s' if count != 1 else ''}"
    if result.items != count:
        head += f" ({result.items} found, {result.items - count} left out by keywords)"
    lines = [head]
    for record in shown:
        lines.append(f"  {record.key}")
        rows = [("title", record.title), ("url", record.url)] if record.title or record.url else []
        rows += list(record.fields.items())
        width = max((len(name) for name, _ in rows), default=0)
        lines += [f"      {name:<{width}}  {'-' if value is None else value}" for name, value in rows]
    if len(shown) < count:
        lines.append(f"(first {len(shown)} of {count}; --limit N shows more)")
    if not count and not result.errors:
        lines.append("no records: check the items and key settings against the page")
    return "\n".join(lines)
