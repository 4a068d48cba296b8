"""The delivery outbox: which channels take an event, its deliveries, and each send's claim and outcome.

A writer (a check, a release of held events, a delivery that failed for good) hands its new
events to `Outbox.queue` inside its own transaction, so an event and its deliveries are
committed together. A delivery is claimed by the process about to send it, just before that
one message goes, so a `check` beside the daemon never sends it at the same time."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from typing import Any, Iterable, Literal

from monitor.clock import later, window_end
from monitor.events import Event, ops_event
from monitor.settings import ChannelConfig
from monitor.store.database import Database
from monitor.store.event_rows import insert_event, row_to_event


@dataclass
class Delivery:
    """One delivery of one event to one channel, with what a listing shows of its event."""

    id: str
    event_id: str
    channel: str
    status: Literal["pending", "sent", "failed"]
    attempts: int
    created_at: str
    expires_at: str
    next_attempt_at: str
    claimed_until: str | None
    sent_at: str | None
    last_status: int | None
    last_error: str | None
    type: str
    source: str
    subject: str | None
    title: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_EVENT = ("type", "source", "subject", "title")  # of a `Delivery`, its event's; the others are its own columns
_OWN = [f.name for f in fields(Delivery) if f.name not in _EVENT]
_EVENT_COLUMNS = ("id", "key", "summary", "url", "date", "date_text", "effective_date", "treaty", "details",
                  "detected_at", "story", *_EVENT)


def delivery_id(event_id: str, channel: str) -> str:
    """The same event to the same channel is always the same delivery."""
    return "dl_" + hashlib.sha256(f"{event_id}\x1f{channel}".encode()).hexdigest()[:24]


class Outbox:
    """The delivery queue of one state database, routing by the configured channels (none:
    events are stored, nothing is queued)."""

    def __init__(self, database: Database, channels: Iterable[ChannelConfig] = ()):
        self.database = database
        self.channels = list(channels)
        """Every configured channel, enabled or not (their `max_age` applies to a retry)."""

    # --- queueing, within the writer's transaction ------------------------------------------

    def route(self, event: Event) -> list[ChannelConfig]:
        """The channels whose filters want `event` (and, with `stories = "first"`, that have
        not been sent another event of its story)."""
        return [channel for channel in self.channels if channel.wants(event)
                and not (channel.stories == "first" and self._told(channel.name, event))]

    def _told(self, channel: str, event: Event) -> bool:
        """Whether `channel` already has a delivery of another event of `event`'s story."""
        if not event.story:
            return False
        return bool(self.database.rows(
            "select 1 from deliveries d join events e on e.id = d.event_id where d.channel = ?"
            " and e.story = ? and e.id != ? limit 1", [channel, event.story, event.id]))

    def queue(self, event: Event, now: str) -> None:
        """One pending delivery of `event` per channel that wants it, due now or at the end of
        the channel's digest window, expiring `max_age` after that (within a write)."""
        for channel in self.route(event):
            digest = getattr(channel.options, "digest", None)
            due = window_end(now, digest) if digest else now
            self.database.conn.execute(
                "insert or ignore into deliveries (id, event_id, channel, status, attempts, created_at,"
                " expires_at, next_attempt_at) values (?,?,?,'pending',0,?,?,?)",
                [delivery_id(event.id, channel.name), event.id, channel.name, now,
                 later(due, channel.max_age), due])

    # --- reading ---------------------------------------------------------------------------

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        """Every delivery (or those of one status), newest first."""
        sql = (f"select {', '.join('d.' + c for c in _OWN)}, {', '.join('e.' + c for c in _EVENT)}"
               " from deliveries d join events e on e.id = d.event_id")
        params: list[Any] = []
        if status:
            sql += " where d.status = ?"
            params.append(status)
        return [Delivery(**row) for row in self.database.rows(sql + " order by d.created_at desc, d.rowid desc",
                                                               params)]

    def due(self, now: str, channels: list[str]) -> list[tuple[Delivery, Event]]:
        """Pending deliveries due by `now` for the given channels and not claimed, oldest first,
        each with its whole event. Nothing is claimed: claim each send's with `claim` just
        before sending it."""
        if not channels:
            return []
        marks = ",".join("?" * len(channels))
        rows = self.database.rows(
            f"select {', '.join(f'd.{c} as d_{c}' for c in _OWN)}, {', '.join('e.' + c for c in _EVENT_COLUMNS)}"
            f" from deliveries d join events e on e.id = d.event_id where d.status = 'pending'"
            f" and d.channel in ({marks}) and d.next_attempt_at <= ?"
            " and (d.claimed_until is null or d.claimed_until < ?) order by d.created_at, d.rowid",
            [*channels, now, now])
        return [(Delivery(**{c: row["d_" + c] for c in _OWN}, **{c: row[c] for c in _EVENT}), row_to_event(row))
                for row in rows]

    # --- the sending side --------------------------------------------------------------------

    def claim(self, ids: list[str], now: str, until: str) -> set[str]:
        """Claim the given deliveries until `until`; return those claimed. A delivery another
        process holds (or has settled) is not, so it is never sent by two at once; an expired
        claim (its holder crashed) is taken over."""
        conn = self.database.conn
        return self.database.write(lambda: {delivery for delivery in ids if conn.execute(
            "update deliveries set claimed_until = ? where id = ? and status = 'pending'"
            " and (claimed_until is null or claimed_until < ?)", [until, delivery, now]).rowcount})

    def release_claims(self, ids: Iterable[str] | None = None) -> int:
        """Forget the claims on the given pending deliveries (all of them when None: the
        daemon at start, whose earlier run is gone)."""
        conn = self.database.conn
        sql = "update deliveries set claimed_until = null where status = 'pending' and claimed_until is not null"
        if ids is None:
            return self.database.write(lambda: conn.execute(sql).rowcount)
        return self.database.write(lambda: sum(conn.execute(sql + " and id = ?", [i]).rowcount for i in ids))

    def mark_sent(self, delivery: str, now: str, status: int | None, detail: str) -> None:
        self.database.write(lambda: self.database.conn.execute(
            "update deliveries set status = 'sent', sent_at = ?, attempts = attempts + 1, last_status = ?,"
            " last_error = null, claimed_until = null where id = ? and status = 'pending'",
            [now, status, delivery]))

    def mark_retry(self, delivery: str, next_at: str, status: int | None, error: str) -> None:
        self.database.write(lambda: self.database.conn.execute(
            "update deliveries set attempts = attempts + 1, next_attempt_at = ?, last_status = ?,"
            " last_error = ?, claimed_until = null where id = ? and status = 'pending'",
            [next_at, status, error, delivery]))

    def mark_failed(self, delivery: str, now: str, status: int | None, error: str) -> list[Event]:
        """Mark a delivery failed for good and raise one `delivery_failed` operational event,
        queued in the same transaction (never about a delivery of a `delivery_failed` event,
        so failures cannot loop)."""
        def work() -> list[Event]:
            self.database.conn.execute(
                "update deliveries set status = 'failed', attempts = attempts + 1, last_status = ?,"
                " last_error = ?, claimed_until = null where id = ? and status = 'pending'",
                [status, error, delivery])
            row = self.database.rows("select d.channel, d.event_id, e.type, e.source, e.title from deliveries d"
                                     " join events e on e.id = d.event_id where d.id = ?", [delivery])
            if not row or row[0]["type"] == "delivery_failed":
                return []
            info = row[0]
            event = ops_event("delivery_failed", info["source"], delivery,
                              f"delivery of {info['type']} event to channel {info['channel']} failed: {error}",
                              now, {"channel": info["channel"], "event_id": info["event_id"], "error": error,
                                    "event_title": info["title"]})
            if not insert_event(self.database.conn, event):
                return []
            self.queue(event, now)
            return [event]
        return self.database.write(work)

    def retry(self, ids: list[str] | None, now: str) -> int:
        """Make due now the failed deliveries (all when `ids` is None) and the pending ones in
        `ids`, each expiring its channel's `max_age` from now; return how many."""
        ages = {channel.name: channel.max_age for channel in self.channels}

        def work() -> int:
            rows = self.database.rows("select id, channel, status from deliveries"
                                      " where status in ('failed', 'pending')")
            chosen = [r for r in rows if (r["status"] == "failed" and ids is None) or (ids and r["id"] in ids)]
            self.database.conn.executemany(
                "update deliveries set status = 'pending', next_attempt_at = ?, expires_at = ?,"
                " claimed_until = null where id = ?",
                [[now, later(now, ages.get(r["channel"], ChannelConfig.max_age)), r["id"]] for r in chosen])
            return len(chosen)
        return self.database.write(work)
