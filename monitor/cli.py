"""The command line: argparse and printing over the library (load_config, state_for, check_once,
the daemon, the deliverer)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sys
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Sequence

from . import __version__, sources
from .check import CheckReport
from .cli_held import HELD_COMMANDS, add_held_parsers
from .config import Config, load_config
from .settings import HTTP_OPTIONS, listen_address
from .durations import format_duration
from .errors import ConfigError, MonitorError
from .humantime import shown
from .logs import setup_logging
from .redact import mask_text
from .overview import next_cell, source_list, source_status
from .events import EVENT_TYPES
from .deliveries_cmd import add_deliveries_command, cmd_deliveries
from .preview import add_preview_command, cmd_preview
from .once import check_once, known_sources
from .render import event_line
from .related import story_events, with_related
from .queries import parse_since
from .state import State, state_for
from .testalert import send_test_alert
from .tables import print_table as _print_table, show as _show
from .words import plural

PROG = "legal-monitor"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Watch official legal portals and treaty "
                                     "depositaries; alert on ratifications, accessions and denunciations.")
    parser.add_argument("--config", metavar="PATH",
                        help="config file (default: $LEGAL_MONITOR_CONFIG, else config/monitor.toml)")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    noise.add_argument("-q", "--quiet", action="store_true", help="only errors")
    parser.add_argument("--log-format", choices=["text", "json"], default="text",
                        help="log lines on stderr: readable text (default) or one JSON object per line")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="check sources once now and print what changed")
    check.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    check.add_argument("--accept-shrink", action="store_true",
                       help="accept a page that lost most of its items as a real change")
    check.add_argument("--json", action="store_true", help="machine-readable output")

    sources = commands.add_parser("sources", help="list sources with their state")
    sources.add_argument("--json", action="store_true")

    events = commands.add_parser("events", help="list detected events, newest first")
    events.add_argument("--since", metavar="DATE", help="ISO date/time, or an age such as 7d")
    events.add_argument("--type", action="append", metavar="T", choices=EVENT_TYPES, help="event type (repeatable)")
    events.add_argument("--source", action="append", metavar="S", help="source name (repeatable)")
    events.add_argument("--limit", type=int, default=50, metavar="N", help="at most N events (default 50)")
    events.add_argument("--story", metavar="ID", help="only the events of this story, oldest first")
    events.add_argument("--json", action="store_true")

    add_preview_command(commands)

    validate = commands.add_parser("validate", help="check the config file and say what it holds")
    validate.add_argument("--json", action="store_true")

    run = commands.add_parser("run", help="run the daemon: check each source on its interval")
    run.add_argument("--http", metavar="HOST:PORT", help="serve /healthz, /metrics and event feeds here "
                     "(overrides [http] listen)")

    serve = commands.add_parser("serve", help="serve the dashboard and feeds only (no checks), beside a daemon")
    serve.add_argument("--http", metavar="HOST:PORT", help="address (default: [http] listen, else 127.0.0.1:8080)")

    status = commands.add_parser("status", help="the daemon, each source's last and next check, deliveries")
    status.add_argument("--json", action="store_true")

    test_alert = commands.add_parser("test-alert", help="send a sample event through channels now")
    test_alert.add_argument("--channel", action="append", metavar="NAME", help="only this channel (repeatable)")

    add_deliveries_command(commands)
    add_held_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.ERROR if args.quiet else (logging.DEBUG if args.verbose > 1 else logging.INFO)
    if args.command not in ("run", "serve") and not args.verbose and not args.quiet:
        level = logging.WARNING
    setup_logging(level, args.log_format)
    try:
        config = load_config(args.config)
        # What start-up built (modules, the config of every source) lives as long as the
        # process: moved out of the collector's sight, full collections stay cheap.
        gc.freeze()
        return COMMANDS[args.command](args, config)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{PROG}: config error: {problem}", file=sys.stderr)
        return 2
    except MonitorError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _state(config: Config, readonly: bool = False) -> State:
    """The state database; `readonly` for commands that only read (they work on a database
    they cannot write)."""
    return state_for(config, readonly=readonly)


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    names = known_sources(config, args.source or None)
    state = _state(config)
    try:
        reports, delivered = asyncio.run(check_once(config, state, names, accept_shrink=args.accept_shrink))
    finally:
        state.close()
    if args.json:
        print(json.dumps([_report_dict(r) for r in reports], ensure_ascii=False, indent=2))
    else:
        _print_reports(reports)
        for item in delivered:
            print(f"delivery to {item.channel}: {item.outcome}: {item.detail}")
    failed = [r.source for r in reports if not r.ok]
    if failed:
        print(f"{PROG}: failed sources: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _report_dict(report: CheckReport) -> dict[str, Any]:
    data = {k: v for k, v in report.__dict__.items() if k != "events"}
    data["duration"] = round(report.duration, 3)
    data["events"] = [e.to_dict() for e in report.events]
    return data


def _print_reports(reports: list[CheckReport]) -> None:
    if not reports:
        print("no enabled sources to check")
    width = max((len(r.source) for r in reports), default=0)
    for report in reports:
        head = f"{report.source:<{width}}  {report.outcome:<9} {report.duration:6.2f}s"
        if report.outcome == "failed":
            print(f"{head}  {report.error}")
            continue
        detail = f"{report.added} added, {report.changed} changed, {report.removed} removed"
        if report.requests:
            detail += f"; {plural(report.requests, 'request')}, {report.not_modified} not modified"
        print(f"{head}  {detail}; {plural(len(report.events), 'new event')}")
        if report.error:
            print(f"  failed parts: {report.error}")
        for event in report.events:
            if event.hold is None:  # a flood's held events are summed up by its events_held event
                print(f"  {event_line(event)}")


def cmd_sources(args: argparse.Namespace, config: Config) -> int:
    state = _state(config, readonly=True)
    try:
        rows = state.source_rows()
    finally:
        state.close()
    table = source_list(config, rows)
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=2))
        return 0
    now = datetime.now(timezone.utc)
    _print_table([[r["name"], r["kind"], shown(r["last_check"], now), r["status"], str(r["records"]),
                   shown(r["last_change"], now), str(r["consecutive_failures"])] for r in table],
                 ["NAME", "KIND", "LAST CHECK", "STATUS", "RECORDS", "LAST CHANGE", "FAILURES"])
    for r in table:
        if r["last_error"] and r["status"] == "failed":
            print(f"{r['name']}: {r['last_error']}")
    return 0


def cmd_events(args: argparse.Namespace, config: Config) -> int:
    since = parse_since(args.since) if args.since else None
    state = _state(config, readonly=True)
    try:
        events = (story_events(state, args.story) if args.story
                  else with_related(state, state.events(since, args.type, args.source, args.limit)))
    finally:
        state.close()
    if args.json:
        print(json.dumps([e.to_dict() for e in events], ensure_ascii=False, indent=2))
        return 0
    if not events:
        print("no events")
        return 0
    _print_table([[e.detected_at or "-", e.source, event_line(e)] for e in events], ["DETECTED", "SOURCE", "EVENT"])
    return 0


def cmd_validate(args: argparse.Namespace, config: Config) -> int:
    kinds = Counter(s.kind for s in config.sources)
    enabled = sum(s.enabled for s in config.sources)
    if args.json:
        print(json.dumps({"config": str(config.path), "state": str(config.state_path), "valid": True,
                          "sources": [{"name": s.name, "kind": s.kind, "enabled": s.enabled,
                                       "interval": s.interval} for s in config.sources],
                          "channels": len(config.channels)}, indent=2))
        return 0
    print(f"{config.path}: valid")
    print(f"  {len(config.sources)} sources ({enabled} enabled): "
          + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"))
    for source in config.sources:
        flag = "" if source.enabled else " (disabled)"
        describe = mask_text(sources.create(source).describe(), set(source.params))
        print(f"    {source.name}: {source.kind} every {format_duration(source.interval)}{flag}  {describe}")
    print(f"  {len(config.channels)} channels")
    print(f"  state: {config.state_path}")
    return 0


def _check_listen(value: str | None) -> None:
    if value:
        try:
            listen_address(value)
        except ValueError as exc:
            raise MonitorError(f"--http: {exc}") from None


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from .daemon import run_daemon

    _check_listen(args.http)
    state = _state(config)
    try:
        run_daemon(config, state, args.http)
    except OSError as exc:
        raise MonitorError(f"cannot serve HTTP on {args.http or config.http_listen}: {exc.strerror or exc}") from None
    finally:
        state.close()
    return 0


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    from .serve import serve

    _check_listen(args.http)
    serve(config, args.http or config.http_listen or HTTP_OPTIONS["listen"].default)
    return 0


def cmd_status(args: argparse.Namespace, config: Config) -> int:
    from .lock import lock_holder

    holder = lock_holder(config.state_path)
    state = _state(config, readonly=True)
    try:
        rows = state.source_rows()
        pending = state.outbox.deliveries("pending")
        failed = state.outbox.deliveries("failed")
    finally:
        state.close()
    shown_sources = source_status(config, rows)
    data = {"daemon": {"running": holder is not None, "pid": holder}, "sources": shown_sources,
            "deliveries": {"pending": len(pending), "failed": len(failed)}}
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"daemon: running (PID {holder})" if holder else "daemon: not running")
    now = datetime.now(timezone.utc)
    _print_table([[s["name"], shown(s["last_check"], now), _show(s["last_outcome"]), next_cell(s, now),
                   str(s["consecutive_failures"])] for s in shown_sources],
                 ["SOURCE", "LAST CHECK", "OUTCOME", "NEXT CHECK", "FAILURES"])
    failing = [s for s in shown_sources if s["consecutive_failures"]]
    for s in failing:
        print(f"failing: {s['name']} ({s['consecutive_failures']} in a row): {s['last_error']}")
    print(f"deliveries: {len(pending)} pending, {len(failed)} failed")
    return 0


def cmd_test_alert(args: argparse.Namespace, config: Config) -> int:
    sent = asyncio.run(send_test_alert(config, args.channel))
    for item in sent:
        print(f"{item.channel}: {'ok' if item.outcome == 'sent' else 'FAILED'}: {item.detail}")
    return 1 if any(item.outcome != "sent" for item in sent) else 0


COMMANDS = {"check": cmd_check, "sources": cmd_sources, "events": cmd_events,
            "validate": cmd_validate, "run": cmd_run, "test-alert": cmd_test_alert,
            "deliveries": cmd_deliveries, "status": cmd_status, "preview": cmd_preview, "serve": cmd_serve,
            **HELD_COMMANDS}
