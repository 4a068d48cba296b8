"""The command line: the commands, printing over the library (load_config, state_for, check_once,
the daemon, the deliverer); their arguments are in cli_args."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sys
from collections import Counter
from datetime import datetime, timezone
from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, Sequence

from monitor import sources
from monitor.cli.args import PROG, build_parser
from monitor.cli.logs import setup_logging
from monitor.config import Config, load_config
from monitor.durations import format_duration
from monitor.errors import ConfigError, MonitorError
from monitor.pipeline import check_once, known_sources, listed_sources
from monitor.render import event_line, shown_event
from monitor.settings import HTTP_OPTIONS, listen_address
from monitor.store import State, lock_holder, state_for, story_events, with_related
from monitor.text import mask_text, plural, shown
from monitor.webhosts import host_name

if TYPE_CHECKING:
    from monitor.pipeline import CheckReport

# What only some commands use (the listings, the daemon, the web side, preview, test alerts)
# is imported inside those commands: `check` loads no more than a check needs.


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.ERROR if args.quiet else (logging.DEBUG if args.verbose > 1 else logging.INFO)
    if args.command not in ("run", "serve") and not args.verbose and not args.quiet:
        level = logging.WARNING
    setup_logging(level, args.log_format)
    try:
        # What start-up builds (modules, the config of every source) lives as long as the
        # process: the collector skips it while it is built, then never sees it again, so
        # full collections stay cheap. It buys about 50 M instructions (some 15-30 ms) of
        # every command's start-up, and the daemon's later collections skip all of it.
        gc.disable()
        try:
            config = load_config(args.config, channel_secrets=args.command != "serve")  # serve sends nothing
        finally:
            gc.enable()
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
    data["events"] = [shown_event(e) for e in report.events]
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
    from monitor.cli.overview import source_list
    from monitor.cli.tables import print_table

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
    print_table([[r["name"], r["kind"], shown(r["last_check"], now), r["status"], str(r["records"]),
                  shown(r["last_change"], now), str(r["consecutive_failures"])] for r in table],
                ["NAME", "KIND", "LAST CHECK", "STATUS", "RECORDS", "LAST CHANGE", "FAILURES"])
    for r in table:
        if r["last_error"] and r["status"] == "failed":
            print(f"{r['name']}: {r['last_error']}")
    return 0


def cmd_events(args: argparse.Namespace, config: Config) -> int:
    from monitor.cli.tables import print_table
    from monitor.store import parse_since

    since = parse_since(args.since) if args.since else None
    state = _state(config, readonly=True)
    try:
        listed_sources(config, state, args.source)
        events = (story_events(state, args.story) if args.story
                  else with_related(state, state.events(since, args.type, args.source, args.limit)))
    finally:
        state.close()
    if args.json:
        from monitor.payload import payload

        # The event@1 document, with the CLI's own fields over it (title and summary as the
        # source gave them, headline, summary_line, hold): it still matches the schema.
        print(json.dumps([{**payload(e), **shown_event(e)} for e in events], ensure_ascii=False, indent=2))
        return 0
    if not events:
        print("no events")
        return 0
    print_table([[e.detected_at or "-", e.source, event_line(e)] for e in events], ["DETECTED", "SOURCE", "EVENT"])
    return 0


def cmd_validate(args: argparse.Namespace, config: Config) -> int:
    from monitor.channels import CHANNEL_KINDS
    from monitor.config import state_path_problem

    problem = state_path_problem(config.state_path)
    if problem:
        raise ConfigError([f"{config.path}: state.path: {problem}"])
    kinds = Counter(s.kind for s in config.sources)
    enabled = sum(s.enabled for s in config.sources)
    channels = [{"name": c.name, "kind": c.kind, "enabled": c.enabled, "ops": c.ops,
                 "target": CHANNEL_KINDS[c.kind].target(c)} for c in config.channels]
    if args.json:
        print(json.dumps({"config": str(config.path), "state": str(config.state_path), "valid": True,
                          "sources": [{"name": s.name, "kind": s.kind, "enabled": s.enabled,
                                       "interval": s.interval} for s in config.sources],
                          "channels": channels}, indent=2))
        return 0
    print(f"{config.path}: valid")
    print(f"  {plural(len(config.sources), 'source')} ({enabled} enabled): "
          + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"))
    for source in config.sources:
        flag = "" if source.enabled else " (disabled)"
        describe = mask_text(sources.create(source).describe(), set(source.params))
        print(f"    {source.name}: {source.kind} every {format_duration(source.interval)}{flag}  {describe}")
    print(f"  {plural(len(channels), 'channel')}" + ("" if channels else ": no alert is sent"))
    for channel in channels:
        flag = "" if channel["enabled"] else " (disabled)"
        ops = "" if channel["ops"] else ", no operational events"
        print(f"    {channel['name']}: {channel['kind']}{flag}{ops}  {channel['target']}")
    print(f"  state: {config.state_path}")
    return 0


def _check_listen(value: str | None, config: Config, hosts: list[str]) -> None:
    """Check --http and add the --allowed-host names to the config's."""
    if value:
        try:
            listen_address(value)
        except ValueError as exc:
            raise MonitorError(f"--http: {exc}") from None
    try:
        config.http_allowed_hosts = [*config.http_allowed_hosts, *(host_name(h) for h in hosts)]
    except ValueError as exc:
        raise MonitorError(f"--allowed-host: {exc}") from None


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from monitor.daemon import run_daemon

    _check_listen(args.http, config, args.allowed_host)
    state = _state(config)
    try:
        run_daemon(config, state, args.http)
    except OSError as exc:
        raise MonitorError(f"cannot serve HTTP on {args.http or config.http_listen}: {exc.strerror or exc}") from None
    finally:
        state.close()
    return 0


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    from monitor.web import serve

    _check_listen(args.http, config, args.allowed_host)
    serve(config, args.http or config.http_listen or HTTP_OPTIONS["listen"].default)
    return 0


def cmd_status(args: argparse.Namespace, config: Config) -> int:
    from monitor.cli.overview import next_cell, source_status
    from monitor.cli.tables import print_table, show

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
    print_table([[s["name"], shown(s["last_check"], now), show(s["last_outcome"]), next_cell(s, now),
                  str(s["consecutive_failures"])] for s in shown_sources],
                ["SOURCE", "LAST CHECK", "OUTCOME", "NEXT CHECK", "FAILURES"])
    failing = [s for s in shown_sources if s["consecutive_failures"]]
    for s in failing:
        print(f"failing: {s['name']} ({s['consecutive_failures']} in a row): {s['last_error']}")
    print(f"deliveries: {len(pending)} pending, {len(failed)} failed")
    return 0


def cmd_test_alert(args: argparse.Namespace, config: Config) -> int:
    from monitor.cli.testalert import send_test_alert

    sent = asyncio.run(send_test_alert(config, args.channel))
    for item in sent:
        print(f"{item.channel}: {'ok' if item.outcome == 'sent' else 'FAILED'}: {item.detail}")
    return 1 if any(item.outcome != "sent" for item in sent) else 0


Command = Callable[[argparse.Namespace, Config], int]


def _elsewhere(module: str, name: str) -> Command:
    """A command defined in its own module, imported when the command runs."""
    def run(args: argparse.Namespace, config: Config) -> int:
        command: Command = getattr(import_module(module, __package__), name)
        return command(args, config)
    return run


COMMANDS: dict[str, Command] = {
    "check": cmd_check, "sources": cmd_sources, "events": cmd_events, "validate": cmd_validate, "run": cmd_run,
    "test-alert": cmd_test_alert, "status": cmd_status, "serve": cmd_serve,
    "deliveries": _elsewhere(".deliveries", "cmd_deliveries"), "preview": _elsewhere(".preview", "cmd_preview"),
    "held": _elsewhere(".held", "cmd_held"), "release": _elsewhere(".held", "cmd_release"),
    "drop": _elsewhere(".held", "cmd_drop"),
}
"""Each subcommand (its arguments are in `cli_args`) and the function that runs it."""
