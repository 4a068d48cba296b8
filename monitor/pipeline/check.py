"""One check of one source: fetch, parse, guard, diff, classify, and commit in one go."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from functools import partial

from monitor import sources
from monitor.clock import utcnow
from monitor.diff import PartDiff, diff_part, miss
from monitor.errors import SourceError, StateError, StructureChanged
from monitor.events import Event
from monitor.net import Fetcher, SourceContext
from monitor.outcomes import CheckOutcome
from monitor.pipeline.link import prepare
from monitor.settings import SWEEP_MEMO, Config, SourceConfig
from monitor.sources import Part, Source
from monitor.store import Prior, QuietWrites, State, SuccessfulCheck, is_quiet
from monitor.text import plural, shown_error

log = logging.getLogger("monitor.pipeline.check")

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


async def check_source(source: Source, state: State, fetcher: Fetcher, *, accept_shrink: bool = False,
                       prior: Prior | None = None, quiet_writes: QuietWrites | None = None,
                       path: str | None = None) -> CheckReport:
    """Check one source now, committing what it learned (and the new events' deliveries, in
    the state's outbox) at once. Failures are reported and logged, never raised (except a
    broken database, which stops everything). `prior` is a cycle's read of what the state
    held (default: read now, for this source alone); with `quiet_writes`, a check that found nothing
    new is written with others (see `quiet.QuietWrites`). With `path`, one run of the source's
    fast path of that name (see `Source.fast_paths`), which waits for the source's first sweep."""
    name, config = source.name, source.config
    started_at, start = utcnow(), time.monotonic()
    prior = prior or Prior(state)
    row = prior.row(name)
    first = row is None or row["last_success"] is None
    memo = json.loads((row or {}).get("memo") or "{}")
    rebase = settings_changed(source, memo, first)
    if path is None and source.fast_paths():  # the daemon schedules the sweep from its own last run
        memo[SWEEP_MEMO] = started_at
    if path is not None and (first or rebase):  # a baseline is the sweep's: it alone knows the whole
        log.info("%s: fast path %s waits for the source's first full check", name, path,
                 extra={"source": name, "outcome": "baseline"})
        return CheckReport(name, "baseline")
    ctx = SourceContext(fetcher, config, {} if rebase else prior.documents(name), memo,
                        partial(state.snapshot_body, name), source.error_markers,
                        renote_before=started_at[:13])  # documents still answering 304: noted once an hour
    try:
        parts = await (source.collect_fast(ctx, path) if path is not None else source.collect(ctx))
        if not parts and path is None:  # a fast path that found nothing new has no part to diff
            raise StructureChanged("the source returned nothing to compare")
        diffs, failed, unread, quiet = [], [], [], set()
        for part in parts:
            try:
                if part.error:
                    raise (StructureChanged if part.structural else SourceError)(part.error)
                diffs.append(_diff(state, name, part, accept_shrink or rebase, rebase or part.baseline, prior))
                if part.records is not None and (part.baseline or part.baseline_if_new and
                                                 state.part_items(name, part.name) is None):
                    quiet.add(part.name)
                if part.warning:  # read and stored, but not all of it could be understood
                    unread.append((part.name, SourceError(part.warning)))
            except SourceError as exc:
                failed.append((part.name, exc))
        if failed and not diffs:  # every part failed: the check failed
            raise _combined(failed)
        ctx.forget_parts({part_name for part_name, _ in failed + unread})  # judged again next time
    except SourceError as exc:
        return _failed(state, source, started_at, start, ctx, str(exc),
                       structural=isinstance(exc, StructureChanged))
    except (StateError, asyncio.CancelledError):
        raise
    except Exception as exc:  # a bug or an unforeseen shape in a source kind: a failed check, not a crash
        log.debug("unexpected error checking %s", name, exc_info=True)
        return _failed(state, source, started_at, start, ctx,
                       f"unexpected {type(exc).__name__} in the {config.kind} parser: {exc}")
    part_failure = _combined(failed + unread) if failed or unread else None
    changes = [change for _, _, diff in diffs for change in diff.changes]
    detected_at = utcnow()
    events = []
    if rebase:
        log.info("extraction settings of %s changed: parsed again and re-baselined silently", name,
                 extra={"source": name, "outcome": "baseline"})
    if not (first or rebase) or (first and config.alert_on_first_check):
        by_name = {part.name: part for part in parts}  # a source's part names are unique
        for part_name, _, diff in diffs:
            for change in diff.changes:
                if part_name in quiet and change.kind == "added":
                    continue  # a baseline: what appears is history, not news
                events.extend(source.events(change, by_name[part_name], detected_at))
    events = prepare(state, source, ctx, parts, events, detected_at)
    baseline = first or rebase
    outcome = "partial" if part_failure else "baseline" if baseline else ("changed" if changes else "unchanged")
    check = SuccessfulCheck(
        source=name, kind=config.kind, started_at=started_at, duration=time.monotonic() - start,
        outcome=outcome, bytes=ctx.bytes, requests=ctx.requests, not_modified=ctx.not_modified,
        documents=ctx.updates, memo=ctx.memo, parts=diffs, events=events, threshold=config.failure_threshold,
        error=shown_error(str(part_failure), set(config.params)) if part_failure else None,
        structural=isinstance(part_failure, StructureChanged), first=first and bool(failed),
        max_events=config.max_events_per_check)
    if quiet_writes is not None and is_quiet(check, row):
        quiet_writes.add(check)
        new_events, records, streak = [], row["records"], 0  # type: ignore[index]  # a quiet check has a row
    else:
        new_events, records, streak = state.record_success(check)
    report = CheckReport(name, outcome, check.duration, ctx.bytes, ctx.requests, ctx.not_modified,
                         records=records, events=new_events, error=check.error, failures=streak)
    if part_failure:
        log.warning("check of %s partly failed (%d in a row): %s", name, streak, check.error,
                    extra={"source": name, "outcome": "partial", "failures": streak})
    for change in changes:
        setattr(report, change.kind, getattr(report, change.kind) + 1)
    if log.isEnabledFor(logging.INFO):  # its fields are worked out only when the line is written
        log.info("checked %s: %s in %.2fs, %d bytes, %s (%d not modified), %s, +%d ~%d -%d, %s",
                 f"{name} ({path})" if path else name, outcome, report.duration, report.bytes,
                 plural(report.requests, "request"), report.not_modified, plural(records, "record"), report.added,
                 report.changed, report.removed, plural(len(new_events), "new event"),
                 extra={"source": name, "outcome": outcome, "duration": round(report.duration, 3),
                        "bytes": report.bytes, "requests": report.requests, "not_modified": report.not_modified,
                        "records": records, "events": len(new_events)})
    for event in new_events:
        if event.hold is None:
            log.info("event %s %s: %s (%s)", event.type, event.subject or "", event.title or event.key, event.id,
                     extra={"source": name, "event_id": event.id, "event_type": event.type})
    held = sum(event.hold is not None for event in new_events)
    if held:
        log.warning("%s: %d new events held, none sent (more than max_events_per_check = %d); "
                    "review with `legal-monitor held --source %s`", name, held, config.max_events_per_check, name,
                    extra={"source": name, "held": held})
    return report


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


def _failed(state: State, source: Source, started_at: str, start: float, ctx: SourceContext,
            error: str, structural: bool = False) -> CheckReport:
    duration = time.monotonic() - start
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


def _diff(state: State, name: str, part: Part, accept_shrink: bool, drop_missing: bool, prior: Prior):
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
