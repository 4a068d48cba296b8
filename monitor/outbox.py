"""The sending side of the delivery outbox: due deliveries, claims, and each send's outcome.

The pending rows themselves are written with their events (`State.record_success`); a
delivery is claimed by the process about to send it, just before that one message goes, so
a `check` beside the daemon never sends it at the same time."""

from __future__ import annotations

from typing import Any, Iterable

from .events import Event, ops_event
from .state import Router, State, no_route, row_to_event


def due(state: State, now: str, channels: list[str]) -> list[tuple[dict[str, Any], Event]]:
    """Pending deliveries due by `now` for the given channels and not claimed, oldest first.
    Nothing is claimed: claim each send's rows with `claim` just before sending them."""
    if not channels:
        return []
    marks = ",".join("?" * len(channels))
    rows = state.rows(
        "select d.*, e.id as e_id, e.type, e.source, e.key, e.subject, e.title, e.summary, e.url, e.date,"
        " e.effective_date, e.treaty, e.details, e.detected_at, e.story from deliveries d join events e"
        f" on e.id = d.event_id where d.status = 'pending' and d.channel in ({marks})"
        " and d.next_attempt_at <= ? and (d.claimed_until is null or d.claimed_until < ?)"
        " order by d.created_at, d.rowid", [*channels, now, now])
    return [(row, row_to_event({**row, "id": row["e_id"]})) for row in rows]


def claim(state: State, ids: list[str], now: str, until: str) -> set[str]:
    """Claim the given deliveries until `until`; return those claimed. A delivery another
    process holds (or has settled) is not, so it is never sent by two at once; an expired
    claim (its holder crashed) is taken over."""
    def work() -> set[str]:
        return {delivery for delivery in ids if state.conn.execute(
            "update deliveries set claimed_until = ? where id = ? and status = 'pending'"
            " and (claimed_until is null or claimed_until < ?)", [until, delivery, now]).rowcount}
    return state.write(work)


def release_claims(state: State, ids: Iterable[str] | None = None) -> int:
    """Forget the claims on the given pending deliveries (all of them when None: the
    daemon at start, whose earlier run is gone)."""
    sql = "update deliveries set claimed_until = null where status = 'pending' and claimed_until is not null"
    if ids is None:
        return state.write(lambda: state.conn.execute(sql).rowcount)
    return state.write(lambda: sum(state.conn.execute(sql + " and id = ?", [i]).rowcount for i in ids))


def mark_sent(state: State, delivery: str, now: str, status: int | None, detail: str) -> None:
    state.write(lambda: state.conn.execute(
        "update deliveries set status = 'sent', sent_at = ?, attempts = attempts + 1, last_status = ?,"
        " last_error = null, claimed_until = null where id = ? and status = 'pending'",
        [now, status, delivery]))


def mark_retry(state: State, delivery: str, next_at: str, status: int | None, error: str) -> None:
    state.write(lambda: state.conn.execute(
        "update deliveries set attempts = attempts + 1, next_attempt_at = ?, last_status = ?,"
        " last_error = ?, claimed_until = null where id = ? and status = 'pending'",
        [next_at, status, error, delivery]))


def mark_failed(state: State, delivery: str, now: str, status: int | None, error: str,
                route: Router = no_route) -> list[Event]:
    """Mark a delivery failed for good and raise one `delivery_failed` operational event
    (never about a delivery of a `delivery_failed` event, so failures cannot loop)."""
    def work() -> list[Event]:
        state.conn.execute(
            "update deliveries set status = 'failed', attempts = attempts + 1, last_status = ?,"
            " last_error = ?, claimed_until = null where id = ? and status = 'pending'",
            [status, error, delivery])
        row = state.rows("select d.channel, d.event_id, e.type, e.source, e.title from deliveries d"
                         " join events e on e.id = d.event_id where d.id = ?", [delivery])
        if not row or row[0]["type"] == "delivery_failed":
            return []
        info = row[0]
        event = ops_event("delivery_failed", info["source"], delivery,
                          f"delivery of {info['type']} event to channel {info['channel']} failed: {error}",
                          now, {"channel": info["channel"], "event_id": info["event_id"], "error": error,
                                "event_title": info["title"]})
        return [event] if state.add_event(event, route, now) else []
    return state.write(work)
