"""`legal-monitor deliveries`: list the outbox, and send failed or pending deliveries again now."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from monitor.cli.tables import print_table
from monitor.clock import utcnow
from monitor.errors import MonitorError
from monitor.pipeline import Delivered, Deliverer, deliver_round
from monitor.settings import Config
from monitor.store import State, state_for
from monitor.text import plural

PROG = "legal-monitor"


def cmd_deliveries(args: argparse.Namespace, config: Config) -> int:
    state = state_for(config)
    try:
        if args.action == "retry":
            if not args.ids and not args.all_failed:
                raise MonitorError("deliveries retry: give delivery ids or --all-failed")
            count = state.outbox.retry(None if args.all_failed else args.ids, utcnow())
            print(f"{plural(count, 'delivery', 'deliveries')} due now")
            for item in asyncio.run(_send_due(config, state)):
                print(f"delivery {item.delivery} to {item.channel}: {item.outcome}: {item.detail}")
            if args.ids and count < len(args.ids):
                print(f"{PROG}: {len(args.ids) - count} of the given ids are not failed or pending deliveries",
                      file=sys.stderr)
                return 1
            return 0
        status = "pending" if args.pending else "failed" if args.failed else None
        rows = state.outbox.deliveries(status)
    finally:
        state.close()
    configured = {c.name for c in config.channels if c.enabled}
    if args.json:
        print(json.dumps([{**d.to_dict(), "channel_configured": d.channel in configured} for d in rows],
                         ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no deliveries")
        return 0
    unsent = " (channel not configured: not sent)"
    print_table([[d.id, d.status, d.channel + ("" if d.channel in configured else unsent), str(d.attempts),
                  d.next_attempt_at if d.status == "pending" else "-",
                  f"{d.type}: {d.subject or ''} {d.title or ''}".strip()] for d in rows],
                ["DELIVERY", "STATUS", "CHANNEL", "TRIES", "NEXT TRY", "EVENT"])
    for d in rows:
        if d.status != "sent" and d.last_error:
            print(f"{d.id}: {'last error' if d.status == 'pending' else 'error'}: {d.last_error}")
    return 0


async def _send_due(config: Config, state: State) -> list[Delivered]:
    deliverer = Deliverer(config, state)
    try:
        return await deliver_round(deliverer)
    finally:
        await deliverer.aclose()
