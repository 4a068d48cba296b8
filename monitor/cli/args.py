"""The command line's parser: every subcommand and its arguments, built without importing
any command's code (a command's modules load when it runs)."""

from __future__ import annotations

import argparse
from typing import TypeAlias

from monitor import __version__
from monitor.events import EVENT_TYPES

PROG = "legal-monitor"

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What `add_subparsers` returns: each command is added to it."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, in the order `--help` lists them."""
    parser = _global_parser()
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _reading_commands(commands)
    _daemon_commands(commands)
    _delivery_commands(commands)
    _held_commands(commands)
    return parser


def _global_parser() -> argparse.ArgumentParser:
    """The program's own options: config, log output, version."""
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
    return parser


def _reading_commands(commands: Commands) -> None:
    """check, sources, events, preview, validate."""
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

    preview = commands.add_parser("preview", help="fetch a source once and show the records it extracts "
                                  "(writes nothing, alerts nobody)")
    preview.add_argument("source", metavar="SOURCE", help="the source's name")
    preview.add_argument("--limit", type=int, default=10, metavar="N", help="show the first N records (default 10)")
    preview.add_argument("--json", action="store_true", help="machine-readable output")

    validate = commands.add_parser("validate", help="check the config file and say what it holds")
    validate.add_argument("--json", action="store_true")


def _daemon_commands(commands: Commands) -> None:
    """run, serve, status."""
    run = commands.add_parser("run", help="run the daemon: check each source on its interval")
    run.add_argument("--http", metavar="HOST:PORT", help="serve /healthz, /metrics and event feeds here "
                     "(overrides [http] listen)")
    run.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                     help="a Host name the pages answer besides [http] allowed_hosts (repeatable)")

    serve = commands.add_parser("serve", help="serve the dashboard and feeds only (no checks), beside a daemon")
    serve.add_argument("--http", metavar="HOST:PORT", help="address (default: [http] listen, else 127.0.0.1:8080)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="a Host name the pages answer besides [http] allowed_hosts (repeatable)")

    status = commands.add_parser("status", help="the daemon, each source's last and next check, deliveries")
    status.add_argument("--json", action="store_true")


def _delivery_commands(commands: Commands) -> None:
    """test-alert, deliveries."""
    test_alert = commands.add_parser("test-alert", help="send a sample event through channels now")
    test_alert.add_argument("--channel", action="append", metavar="NAME", help="only this channel (repeatable)")

    deliveries = commands.add_parser("deliveries", help="list or retry alert deliveries")
    which = deliveries.add_mutually_exclusive_group()
    which.add_argument("--pending", action="store_true", help="only deliveries still to send")
    which.add_argument("--failed", action="store_true", help="only deliveries that failed for good")
    deliveries.add_argument("--json", action="store_true")
    deliveries.add_argument("action", nargs="?", choices=["retry"], help="send deliveries again now")
    deliveries.add_argument("ids", nargs="*", metavar="ID", help="delivery ids to retry (failed or pending)")
    deliveries.add_argument("--all-failed", action="store_true", help="with retry: every failed delivery")


def _held_commands(commands: Commands) -> None:
    """held, release, drop."""
    held = commands.add_parser("held", help="list events held back by a flooded check (never sent yet)")
    held.add_argument("--source", action="append", metavar="S", help="source name (repeatable)")
    held.add_argument("--limit", type=int, default=50, metavar="N", help="list at most N events (0: all)")
    held.add_argument("--json", action="store_true", help="every held event as JSON")
    for name, text in (("release", "send held events: queue their deliveries to the channels that want them"),
                       ("drop", "mark held events as noise: kept and listed, never sent")):
        command = commands.add_parser(name, help=text)
        command.add_argument("ids", nargs="*", metavar="ID", help="event ids (from `held`)")
        command.add_argument("--source", action="append", metavar="S", help="every held event of this source")
        command.add_argument("--all", action="store_true", help="every held event")
        if name == "release":
            command.add_argument("--no-send", action="store_true",
                                 help="only queue the deliveries (a running daemon sends them)")
