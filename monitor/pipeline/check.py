"""One check of one source: collect and diff, find the events, commit them at once, report."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from monitor import sources
from monitor.clock import utcnow
from monitor.diff import Change, PartDiff, diff_part, miss
from monitor.errors import SourceError, StateError, StructureChanged
from monitor.events import Event
from monitor.net import Fetcher, SourceContext
from monitor.outcomes import CheckOutcome
from monitor.pipeline.link import prepare
from monitor.settings import SWEEP_MEMO, Config, SourceConfig
from monitor.sources import Part, Source
from monitor.store import Prior, QuietWrites, State, SuccessfulCheck, is_quiet
from monitor.text import plural, shown_error

log = logging.getLogger("monitor.check")  # the name JSON log lines carry: kept as it was

SETTINGS_MEMO = "extraction_settings"
"""The memo key holding the fingerprint of the settings the stored records came from."""


@dataclass
class CheckReport:
    """What one check did, for the command line and the logs."""

    source: str
    outcome: CheckOutcome
    duration: float = 0.0
    bytes: int = 0
    requests: int = 0
    not_modified: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    error: str | None = None
    failures: int = 0
    records: int | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False when the source, or a part of it, could not be checked."""
        return self.outcome not in ("failed", "partial")


@dataclass
class Start:
    """Where a check begins: its clock and what the state held of the source."""

    started_at: str
    clock: float
    """`time.monotonic()` at the start: the check's duration is measured from it."""
    row: dict[str, Any] | None
    """The source's row as the check began (None before its first check)."""
    first: bool
    """No check of the source has succeeded yet: this one is its baseline."""
    rebase: bool
    """The extraction settings changed: parse again and re-baseline silently."""
    memo: dict[str, Any]
    """The source's memo, as this check will leave it (settings fingerprint, time of the sweep)."""

    @property
    def baseline(self) -> bool:
        """A first check or a re-baseline: what it finds is history, not news (a first check
        alerts only when the source says `alert_on_first_check`)."""
        return self.first or self.rebase


@dataclass
class Collected:
    """What a check read and how it differs from the state: one diff per part that could be
    compared, and the parts that failed or were read only in part."""

    parts: list[Part]
    diffs: list[tuple[str, int | None, PartDiff]] = field(default_factory=list)
    failed: list[tuple[str, SourceError]] = field(default_factory=list)
    unread: list[tuple[str, SourceError]] = field(default_factory=list)
    quiet: set[str] = field(default_factory=set)
    """The parts that are silent baselines: what appears in them raises no event."""

    @property
    def failure(self) -> SourceError | None:
        """One error for the parts that failed or were not all understood (a partial check)."""
        return _combined(self.failed + self.unread) if self.failed or self.unread else None

    @property
    def changes(self) -> list[Change]:
        """Every part's changes, in order."""
        return [change for _, _, diff in self.diffs for change in diff.changes]


async def check_source(source: Source, state: State, fetcher: Fetcher, *, accept_shrink: bool = False,
                       prior: Prior | None = None, quiet_writes: QuietWrites | None = None,
                       path: str | None = None) -> CheckReport:
    """Check one source now, committing what it learned (and the new events' deliveries, in
    the state's outbox) at once. Failures are reported and logged, never raised (except a
    broken database, which stops everything). `prior` is a cycle's read of what the state
    held (default: read now, for this source alone); with `quiet_writes`, a check that found nothing
    new is written with others (see `quiet.QuietWrites`). With `path`, one run of the source's
    fast path of that name (see `Source.fast_paths`), which waits for the source's first sweep."""
    prior = prior or Prior(state)
    start = begin(source, prior, path)
    if path is not None and start.baseline:  # a baseline is the sweep's: it alone knows the whole
        log.info("%s: fast path %s waits for the source's first full check", source.name, path,
                 extra={"source": source.name, "outcome": "baseline"})
        return CheckReport(source.name, "baseline")
    ctx = SourceContext(fetcher, source.config, {} if start.rebase else prior.documents(source.name), start.memo,
                        partial(state.snapshot_body, source.name), source.error_markers,
                        renote_before=start.started_at[:13])  # documents still answering 304: noted once an hour
    try:
        collected = await collect_and_diff(source, state, ctx, prior, path, accept_shrink=accept_shrink or start.rebase,
                                           rebase=start.rebase)
    except SourceError as exc:
        return _failed(state, source, start, ctx, str(exc), structural=isinstance(exc, StructureChanged))
    except (StateError, asyncio.CancelledError):
        raise
    except Exception as exc:  # a bug or an unforeseen shape in a source kind: a failed check, not a crash
        log.debug("unexpected error checking %s", source.name, exc_info=True)
        error = f"unexpected {type(exc).__name__} in the {source.config.kind} parser: {exc}"
        return _failed(state, source, start, ctx, error)
    events = find_events(source, state, ctx, start, collected)
    check = successful_check(source, ctx, start, collected, events)
    new_events, records, streak = commit(state, check, start.row, quiet_writes)
    return report(source, check, path, collected.changes, new_events, records, streak)


def begin(source: Source, prior: Prior, path: str | None) -> Start:
    """Start a check: the clock, the source's stored row and memo, and whether this check is
    its first or a re-baseline. A sweep of a source with fast paths notes when it ran."""
    started_at, clock = utcnow(), time.monotonic()
    row = prior.row(source.name)
    first = row is None or row["last_success"] is None
    memo = json.loads((row or {}).get("memo") or "{}")
    rebase = settings_changed(source, memo, first)
    if path is None and source.fast_paths():  # the daemon schedules the sweep from its own last run
        memo[SWEEP_MEMO] = started_at
    return Start(started_at, clock, row, first, rebase, memo)


async def collect_and_diff(source: Source, state: State, ctx: SourceContext, prior: Prior, path: str | None, *,
                           accept_shrink: bool, rebase: bool) -> Collected:
    """Collect the source's parts (or one fast path's) and diff each against the state. A part
    that failed is set aside; raises `SourceError` when nothing could be compared."""
    parts = await (source.collect_fast(ctx, path) if path is not None else source.collect(ctx))
    if not parts and path is None:  # a fast path that found nothing new has no part to diff
        raise StructureChanged("the source returned nothing to compare")
    collected = Collected(parts)
    for part in parts:
        try:
            if part.error:
                raise (StructureChanged if part.structural else SourceError)(part.error)
            collected.diffs.append(_diff(state, source.name, part, accept_shrink, rebase or part.baseline, prior))
            if part.records is not None and (part.baseline or part.baseline_if_new and
                                             state.part_items(source.name, part.name) is None):
                collected.quiet.add(part.name)
            if part.warning:  # read and stored, but not all of it could be understood
                collected.unread.append((part.name, SourceError(part.warning)))
        except SourceError as exc:
            collected.failed.append((part.name, exc))
    if collected.failed and not collected.diffs:  # every part failed: the check failed
        raise _combined(collected.failed)
    ctx.forget_parts({part_name for part_name, _ in collected.failed + collected.unread})  # judged again next time
    return collected


def find_events(source: Source, state: State, ctx: SourceContext, start: Start, collected: Collected) -> list[Event]:
    """The events of the changes found (none in a silent baseline, nor for what appears in a
    quiet part), linked to treaties and stories (see `link.prepare`)."""
    detected_at = utcnow()
    events: list[Event] = []
    if start.rebase:
        log.info("extraction settings of %s changed: parsed again and re-baselined silently", source.name,
                 extra={"source": source.name, "outcome": "baseline"})
    if not start.baseline or (start.first and source.config.alert_on_first_check):
        by_name = {part.name: part for part in collected.parts}  # a source's part names are unique
        for part_name, _, diff in collected.diffs:
            for change in diff.changes:
                if part_name in collected.quiet and change.kind == "added":
                    continue  # a baseline: what appears is history, not news
                events.extend(source.events(change, by_name[part_name], detected_at))
    return prepare(state, source, ctx, collected.parts, events, detected_at)


def successful_check(source: Source, ctx: SourceContext, start: Start, collected: Collected,
                     events: list[Event]) -> SuccessfulCheck:
    """Everything the check learned, to be written at once; partial when some parts failed."""
    config, failure = source.config, collected.failure
    outcome: CheckOutcome = ("partial" if failure else "baseline" if start.baseline else
                             "changed" if collected.changes else "unchanged")
    return SuccessfulCheck(
        source=source.name, kind=config.kind, started_at=start.started_at, duration=time.monotonic() - start.clock,
        outcome=outcome, bytes=ctx.bytes, requests=ctx.requests, not_modified=ctx.not_modified,
        documents=ctx.updates, memo=ctx.memo, parts=collected.diffs, events=events, threshold=config.failure_threshold,
        error=shown_error(str(failure), set(config.params)) if failure else None,
        structural=isinstance(failure, StructureChanged), first=start.first and bool(collected.failed),
        max_events=config.max_events_per_check)


def commit(state: State, check: SuccessfulCheck, row: dict[str, Any] | None,
           quiet_writes: QuietWrites | None) -> tuple[list[Event], int | None, int]:
    """Write the check in one transaction (a quiet one with others, when `quiet_writes` is
    given); the new events, the number of current records and the failure streak."""
    if quiet_writes is not None and is_quiet(check, row):
        quiet_writes.add(check)
        return [], row["records"], 0  # type: ignore[index]  # a quiet check has a row
    return state.record_success(check)


def report(source: Source, check: SuccessfulCheck, path: str | None, changes: list[Change],
           new_events: list[Event], records: int | None, streak: int) -> CheckReport:
    """The report of a committed check, logged: a partial failure, the check's figures, each
    new event and any held back."""
    name = source.name
    report = CheckReport(name, check.outcome, check.duration, check.bytes, check.requests, check.not_modified,
                         records=records, events=new_events, error=check.error, failures=streak)
    if check.outcome == "partial":
        log.warning("check of %s partly failed (%d in a row): %s", name, streak, check.error,
                    extra={"source": name, "outcome": "partial", "failures": streak})
    for change in changes:
        setattr(report, change.kind, getattr(report, change.kind) + 1)
    if log.isEnabledFor(logging.INFO):  # its fields are worked out only when the line is written
        log.info("checked %s: %s in %.2fs, %d bytes, %s (%d not modified), %s, +%d ~%d -%d, %s",
                 f"{name} ({path})" if path else name, report.outcome, report.duration, report.bytes,
                 plural(report.requests, "request"), report.not_modified, plural(records, "record"), report.added,
                 report.changed, report.removed, plural(len(new_events), "new event"),
                 extra={"source": name, "outcome": report.outcome, "duration": round(report.duration, 3),
                        "bytes": report.bytes, "requests": report.requests, "not_modified": report.not_modified,
                        "records": records, "events": len(new_events)})
    _log_events(source, new_events)
    return report


def _log_events(source: Source, new_events: list[Event]) -> None:
    """One line per new event sent, and a warning for those held back by a flood."""
    name = source.name
    for event in new_events:
        if event.hold is None:
            log.info("event %s %s: %s (%s)", event.type, event.subject or "", event.title or event.key, event.id,
                     extra={"source": name, "event_id": event.id, "event_type": event.type})
    held = sum(event.hold is not None for event in new_events)
    if held:
        log.warning("%s: %d new events held, none sent (more than max_events_per_check = %d); "
                    "review with `legal-monitor held --source %s`", name, held, source.config.max_events_per_check,
                    name, extra={"source": name, "held": held})


def _combined(failed: list[tuple[str, SourceError]]) -> SourceError:
    """One error for the parts that failed, structural if any of them was."""
    if len(failed) == 1 and not failed[0][0]:
        return failed[0][1]
    structural = any(isinstance(exc, StructureChanged) for _, exc in failed)
    kind = StructureChanged if structural else SourceError
    shared = {str(exc) for _, exc in failed}
    if len(failed) > 1 and len(shared) == 1:  # one cause for all, such as an unknown host
        return kind(f"{shared.pop()} ({len(failed)} documents)")
    text = "; ".join(f"{name}: {exc}" if name else str(exc) for name, exc in failed[:5])
    if len(failed) > 5:
        text += f"; and {len(failed) - 5} more parts"
    return kind(f"{len(failed)} parts failed: {text}" if len(failed) > 1 else text)


def _failed(state: State, source: Source, start: Start, ctx: SourceContext, error: str,
            structural: bool = False) -> CheckReport:
    """Log a failed check (records and documents stay as they were) and report it."""
    duration, started_at = time.monotonic() - start.clock, start.started_at
    error = shown_error(error, set(source.config.params))  # it may quote the page, or a key
    streak, events = state.record_failure(source.name, source.config.kind, started_at, duration, error,
                                          ctx.bytes, ctx.requests, structural=structural,
                                          threshold=source.config.failure_threshold)
    log.warning("check of %s failed (%d in a row): %s", source.name, streak, error,
                extra={"source": source.name, "outcome": "failed", "duration": round(duration, 3),
                       "bytes": ctx.bytes, "requests": ctx.requests, "failures": streak})
    for event in events:
        log.warning("event %s: %s (%s)", event.type, event.title, event.id)
    return CheckReport(source.name, "failed", duration, ctx.bytes, ctx.requests, ctx.not_modified,
                       error=error, failures=streak, events=events)


def settings_changed(source: Source, memo: dict, first: bool) -> bool:
    """Whether the source's extraction settings differ from those of its stored records
    (then it is parsed again and re-baselined); notes the current ones in `memo`."""
    current = source.extraction_settings()
    if current is None:
        return False
    before = memo.get(SETTINGS_MEMO)
    memo[SETTINGS_MEMO] = current
    return not first and before is not None and before != current


def _diff(state: State, name: str, part: Part, accept_shrink: bool, drop_missing: bool,
          prior: Prior) -> tuple[str, int | None, PartDiff]:
    """Diff one part; a part that lost all or most of its items fails the whole check.
    With `drop_missing` (a re-baseline, or a baseline part) the stored records the part no
    longer holds are dropped at once, silently: the new settings or filter left them out,
    they did not leave the page."""
    if part.records is None:
        diff = PartDiff()
        for key, stored in prior.missing(name, part.name).items():
            miss(key, stored, diff)
        return part.name, None, diff
    previous = state.part_items(name, part.name)
    items = part.items or 0
    if previous and not accept_shrink:
        label = f"part {part.name!r}: " if part.name else ""
        if items == 0:
            raise StructureChanged(f"{label}found no items where the last good check had {previous} "
                                   "(structure changed?)")
        if items * 2 < previous:
            raise StructureChanged(f"{label}found {items} items where the last good check had {previous} "
                                   "(fewer than half: structure changed?)")
    diff = diff_part(state.stored(name, part.name), part.records)
    if drop_missing:
        diff.removed += list(diff.missing)
        diff.missing = {}
    return part.name, items, diff


MAX_PARALLEL_CHECKS = 64
"""Sources checked at once in a cycle; host limits still apply within this."""


async def check_all(config: Config, state: State, names: list[str] | None = None, *,
                    accept_shrink: bool = False, fetcher: Fetcher | None = None) -> list[CheckReport]:
    """Check the named sources (default: every enabled one) concurrently; reports in config order."""
    chosen = [s for s in config.sources if (s.name in names if names else s.enabled)]
    own = fetcher is None
    fetcher = fetcher or Fetcher(chosen)
    slots = asyncio.Semaphore(MAX_PARALLEL_CHECKS)
    prior = Prior.of_cycle(state, [s.name for s in chosen])
    quiet = QuietWrites(state)

    async def one(source: SourceConfig) -> CheckReport:
        async with slots:
            return await check_source(sources.create(source), state, fetcher, accept_shrink=accept_shrink,
                                      prior=prior, quiet_writes=quiet)

    try:
        try:
            return list(await asyncio.gather(*(one(s) for s in chosen)))
        finally:  # also when cut short: the quiet checks that ran are noted
            quiet.flush()
    finally:
        if own:
            await fetcher.aclose()
