"""`legal-monitor preview SOURCE`: fetch once and show the records the settings extract.

Nothing is written and nobody is alerted: no state database is opened at all."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field

from monitor import sources
from monitor.errors import MonitorError, SourceError
from monitor.net import Fetcher, SourceContext
from monitor.records import Record
from monitor.settings import Config
from monitor.sources import DocumentSource, date_note, field_action, field_date
from monitor.text import shown_error


@dataclass
class Preview:
    """The records one fetch of a source gives, and the parts that failed."""

    source: str
    kind: str
    records: list[Record] = field(default_factory=list)
    items: int = 0
    """Items found before keyword filtering."""
    errors: list[str] = field(default_factory=list)
    """Parts that could not be read at all."""
    warnings: list[str] = field(default_factory=list)
    """Parts read, but with a finding that fails the check (a field matching nothing) or
    makes it partial (a date that does not match `date_format`)."""
    date_format: str | None = None
    dates: bool = False
    """Whether action fields' dates are read from the records (the generic kinds)."""


async def take_preview(config: Config, name: str) -> Preview:
    """Fetch and parse `name` once, with no stored state (every document is new)."""
    source_config = config.source(name)
    source = sources.create(source_config)
    result = Preview(name, source_config.kind, dates=isinstance(source, DocumentSource),
                     date_format=getattr(source_config.options, "date_format", None))
    secrets = set(source_config.params)
    async with Fetcher([source_config]) as fetcher:
        ctx = SourceContext(fetcher, source_config, {}, {}, lambda key: None, source.error_markers)
        try:
            parts = await source.collect(ctx)
        except SourceError as exc:
            result.errors.append(shown_error(str(exc), secrets))
            return result
    for part in parts:
        label = f"{part.name}: " if part.name else ""
        if part.error:
            error = shown_error(str(part.error), secrets)
            (result.errors if part.records is None else result.warnings).append(label + error)
        if part.warning:
            result.warnings.append(label + shown_error(part.warning, secrets))
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
                          "items": result.items, "errors": result.errors, "warnings": result.warnings,
                          "records": [{"key": r.key, "title": r.title, "url": r.url, "fields": r.fields,
                                       "dates": _dates(result, r)} for r in shown]}, ensure_ascii=False, indent=2))
    elif result.records or not result.errors:  # a fetch that failed outright is its error alone
        print(_text(result, shown))
    for error in result.errors:
        print(f"legal-monitor: preview of {result.source}: {error}", file=sys.stderr)
    return 1 if result.errors or result.warnings else 0


def _dates(result: Preview, record: Record) -> dict[str, dict[str, str | None]]:
    """Each action field's date as events will carry it: ISO `date`, `date_text` as written."""
    if not result.dates:
        return {}
    readings = {name: field_date(value, result.date_format) for name, value in record.fields.items()
                if value and field_action(name)[0]}
    return {name: {"date": r.date, "date_text": r.text, "problem": r.problem} for name, r in readings.items()}


def _text(result: Preview, shown: list[Record]) -> str:
    count = len(result.records)
    head = f"{result.source} ({result.kind}): {count} record{'s' if count != 1 else ''}"
    if result.items != count:
        head += f" ({result.items} found, {result.items - count} left out by keywords)"
    lines = [head] + [f"warning: {warning}" for warning in result.warnings]
    for record in shown:
        lines.append(f"  {record.key}")
        rows = [("title", record.title), ("url", record.url)] if record.title or record.url else []
        rows += list(record.fields.items())
        width = max((len(name) for name, _ in rows), default=0)
        for name, value in rows:
            note = date_note(name, value, result.date_format) if result.dates else None
            lines.append(f"      {name:<{width}}  {'-' if value is None else value}{'  ' + note if note else ''}")
    if len(shown) < count:
        lines.append(f"(first {len(shown)} of {count}; --limit N shows more)")
    if not count and not result.errors:
        lines.append("no records: check the items and key settings against the page")
    return "\n".join(lines)
