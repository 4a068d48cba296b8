"""The commands for events a flooded check held back: `held`, `release` and `drop`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from typing import Any, Callable

from monitor.errors import MonitorError
from monitor.events import Event
from monitor.pipeline import known_sources, listed_sources, release_once
from monitor.render import event_line
from monitor.settings import Config
from monitor.store import State, drop, held_events, state_for


def _with_state(config: Config, work: Callable[[State], Any]) -> Any:
    state = state_for(config)
    try:
        return work(state)
    finally:
        state.close()


def cmd_held(args: argparse.Namespace, config: Config) -> int:
    events = _with_state(config, lambda state: held_events(state, sources=listed_sources(config, state, args.source)))
    if args.json:
        print(json.dumps([e.to_dict() for e in events], ensure_ascii=False, indent=2))
        return 0
    if not events:
        print("no held events")
        return 0
    by_source: dict[str, list[Event]] = {}
    for event in events:
        by_source.setdefault(event.source, []).append(event)
    for source, held in by_source.items():
        types = ", ".join(f"{n} {t}" for t, n in Counter(e.type for e in held).most_common())
        print(f"{source}: {len(held)} held ({types}), detected {held[0].detected_at}"
              + (f" to {held[-1].detected_at}" if held[-1].detected_at != held[0].detected_at else ""))
    shown = events if args.limit <= 0 else events[:args.limit]
    for event in shown:
        print(f"{event.id}  {event.source}  {event_line(event)}")
    if len(shown) < len(events):
        print(f"… and {len(events) - len(shown)} more (--limit 0 lists all)")
    name = next(iter(by_source)) if len(by_source) == 1 else "NAME"
    print(f"send them with `legal-monitor release --source {name}` (or event ids); "
          f"discard them with `legal-monitor drop --source {name}`")
    return 0


def _choice(args: argparse.Namespace, config: Config) -> tuple[list[str] | None, list[str] | None]:
    """The ids and sources a release or drop applies to; refuse an empty choice."""
    if args.all and (args.ids or args.source):
        raise MonitorError(f"{args.command}: --all goes alone, without ids or --source")
    if not (args.all or args.ids or args.source):
        raise MonitorError(f"{args.command}: give event ids, --source NAME or --all (see `legal-monitor held`)")
    return args.ids or None, known_sources(config, args.source or None)


def _settle(args: argparse.Namespace, count: int, verb: str) -> int:
    print(f"{count} held events {verb}")
    if args.ids and count < len(set(args.ids)):
        print(f"legal-monitor: {len(set(args.ids)) - count} of the given ids are not held events "
              "(see `legal-monitor held`)", file=sys.stderr)
        return 1
    return 0


def cmd_release(args: argparse.Namespace, config: Config) -> int:
    ids, sources = _choice(args, config)

    released, sent = _with_state(config, lambda state: asyncio.run(
        release_once(config, state, ids, sources, send=not args.no_send)))
    outcomes = Counter(item.outcome for item in sent)
    code = _settle(args, len(released), "released")
    if outcomes:
        print("deliveries: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())))
    return code


def cmd_drop(args: argparse.Namespace, config: Config) -> int:
    ids, sources = _choice(args, config)
    dropped = _with_state(config, lambda state: drop(state, ids, sources))
    return _settle(args, len(dropped), "dropped (kept, never sent)")

