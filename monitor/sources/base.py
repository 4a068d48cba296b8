"""The Source base class: what every source kind provides, and the generic event rules."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Awaitable, ClassVar

from monitor.diff import Change
from monitor.errors import SourceError, StructureChanged
from monitor.events import Event
from monitor.net import source_url
from monitor.options import Option, field_name
from monitor.records import Record
from monitor.sources.generic import generic_events

if TYPE_CHECKING:
    from monitor.net import SourceContext
    from monitor.settings import SourceConfig


@dataclass
class Part:
    """The records of one part of a source (one document, one day, one treaty, …).

    `records` is None when the part is unchanged since the last check (nothing was parsed).
    `items` counts what was found before any keyword filtering; the shrink guard uses it.
    A part may be legitimately empty only when `allow_empty` is set.
    """

    name: str = ""
    records: list[Record] | None = None
    items: int | None = None
    allow_empty: bool = False
    error: str | None = None
    """Set when this part alone failed: its records stay as they were, the others go on."""
    structural: bool = False
    """With `error`: the failure is an unknown page shape (raises structure_changed)."""
    warning: str | None = None
    """Set when this part was read but some of its values could not be (a date that does not
    match `date_format`): its records are stored and its events raised, and the check is partial."""
    baseline: bool = False
    """This part is a silent baseline: records appearing in it are history, not news, and
    raise no events (changes to records already stored still do); stored records it no longer
    holds are dropped at once, silently. Set by a kind that knows, e.g. a treaty newly
    configured, or a changed filter that brings in or leaves out rows already there."""
    baseline_if_new: bool = False
    """A part never seen before is a silent baseline (e.g. a treaty newly added to the
    config: its chart is history, not news). Leave unset where new parts are news (a new
    publication day)."""
    context: Any = None
    """What the kind's event rules need to know about this part (e.g. its treaty), set by the
    kind's `collect` and handed back with each of the part's changes to `Source.events`. The
    check never looks inside: its type belongs to the kind."""

    def __post_init__(self) -> None:
        if self.items is None and self.records is not None:
            self.items = len(self.records)


async def part_or_error(ctx: SourceContext, name: str, collect: Awaitable[Part | list[Part]]) -> list[Part]:
    """Run one part's fetch and parse; a SourceError fails that part only.

    For sources made of many independent documents (one chart per treaty), so that one
    odd treaty does not hold back the alerts of all the others. Parts must be collected
    one after another: what is fetched meanwhile is attributed to part `name`."""
    ctx.part = name
    try:
        result = await collect
    except SourceError as exc:
        return [Part(name, error=str(exc), structural=isinstance(exc, StructureChanged))]
    finally:
        ctx.part = None
    return result if isinstance(result, list) else [result]


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)
"""The text a fingerprint hashes (one encoder for all: building one per call costs more than encoding)."""


@cache
def _attributes(keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each option key with the attribute that holds its typed value."""
    return tuple((key, field_name(key)) for key in keys)


class Source:
    """A source kind. Subclasses set `kind` and `options`, and implement `collect`.

    `options` is the kind's option table; a source reads its values as typed attributes,
    `self.config.options.NAME` (see `options.typed_options`).

    `defaults` are the kind's own defaults for common keys (e.g. a longer interval or a
    politer host limit); they win over `[defaults]`, and the source's own keys win over both.
    """

    kind: ClassVar[str] = ""
    options: ClassVar[dict[str, Option]] = {}
    defaults: ClassVar[dict[str, Any]] = {}
    error_markers: ClassVar[tuple[str, ...]] = ()
    """Texts that mark a 200 answer as an error or maintenance page for this kind."""
    extraction: ClassVar[tuple[str, ...]] = ()
    """The options that decide which records are extracted: when one changes, the source is
    parsed again and re-baselined silently (see `extraction_settings`)."""

    def __init__(self, config: SourceConfig):
        self.config = config
        self.name = config.name

    @classmethod
    def check_options(cls, config: SourceConfig) -> list[str]:
        """Cross-key checks; return problems as "key: what is wrong"."""
        return []

    def describe(self) -> str:
        """A short line saying what this source watches, for listings."""
        return source_url(self.config) or ""

    def extraction_settings(self) -> str | None:
        """A fingerprint of the extraction options, or None for kinds that declare none."""
        if not self.extraction:
            return None
        options = self.config.options
        chosen = {key: getattr(options, attr, None) for key, attr in _attributes(self.extraction)}
        return hashlib.sha256(_CANONICAL.encode(chosen).encode()).hexdigest()[:16]

    async def collect(self, ctx: SourceContext) -> list[Part]:
        """Fetch and parse; return the parts seen. Raise SourceError on any failure."""
        raise NotImplementedError

    def fast_paths(self) -> dict[str, float]:
        """This source's fast paths, name -> interval in seconds: extra jobs besides the sweep
        (`collect`), each run as `collect_fast(ctx, name)` on the same records, memo and event
        ids, so that one action seen by both is one event. None by default."""
        return {}

    async def collect_fast(self, ctx: SourceContext, path: str) -> list[Part]:
        """One run of fast path `path`: the parts it found worth diffing (none is fine)."""
        raise NotImplementedError

    def events(self, change: Change, part: Part, detected_at: str) -> list[Event]:
        """Turn one record change of `part` into events: a function of the change, what
        `collect` put on the part and the time, never of what an earlier call left on the
        instance. The default classifies by keywords."""
        return generic_events(self.name, change, detected_at)

