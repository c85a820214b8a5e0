"""The notification outbox: events written before they are sent, one delivery per target.

An event is kept once under its stable `event_id` (a re-run of the scanner finds it already
there); each target that its routing selects gets one delivery row, unique per (event, target),
so nothing is posted twice. A delivery is `pending` until the channel answers with its own
success code (`sent`), or a final refusal or a configuration error ends it (`failed`, kept with
the reason; `cityguard notify retry` makes it pending again). Every attempt is kept.

Times are epoch seconds (REAL): the queue and the rate limits compare numbers. The notifier
(cityguard.notify) owns the meaning of events; this module only stores and reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cityguard.store.backends import Db
from cityguard.store.where import Where

STATES = ("pending", "sent", "failed")


@dataclass(frozen=True)
class Queued:
    """One delivery waiting for its target, with its event."""

    delivery_id: int
    target: str
    attempts: int
    next_at: float
    event_id: str
    kind: str
    system: str
    severity: str
    created: float
    payload: dict[str, Any]


def enqueue(db: Db, events: Iterable[tuple[str, str, str, str, float, dict[str, Any]]],
            routes: dict[str, Sequence[str]]) -> tuple[int, int]:
    """Keep events (event_id, kind, system, severity, created, payload) and their deliveries
    (event_id → targets) in one transaction; (new events, new deliveries)."""
    new_events = new_deliveries = 0
    with db.transaction(lock="cityguard:outbox"):
        for event_id, kind, system, severity, created, payload in events:
            cur = db.execute(
                "INSERT INTO notify_events (event_id, kind, system, severity, created, payload)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
                [event_id, kind, system, severity, created,
                 json.dumps(payload, ensure_ascii=False, sort_keys=True)])
            new_events += max(int(cur.rowcount or 0), 0)
            ref = int(db.scalar("SELECT id FROM notify_events WHERE event_id = ?", [event_id]))
            for target in routes.get(event_id, ()):
                cur = db.execute(
                    "INSERT INTO notify_deliveries (event_ref, target) VALUES (?, ?)"
                    " ON CONFLICT (event_ref, target) DO NOTHING", [ref, target])
                new_deliveries += max(int(cur.rowcount or 0), 0)
    return new_events, new_deliveries


_QUEUED = (
    "SELECT d.id, d.target, d.attempts, d.next_at, e.event_id, e.kind, e.system, e.severity,"
    " e.created, e.payload FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_ref"
)


def _queued(row: Any) -> Queued:
    return Queued(int(row[0]), row[1], int(row[2]), float(row[3]), row[4], row[5], row[6],
                  row[7], float(row[8]), json.loads(row[9]))


def pending(db: Db, target: str, *, limit: int = 1000, system: str | None = None
            ) -> list[Queued]:
    """The target's pending deliveries (of one system's events when given) in the order
    their events were written."""
    only = " AND e.system = ?" if system is not None else ""
    rows = db.all(_QUEUED + f" WHERE d.target = ? AND d.state = 'pending'{only} ORDER BY d.id"
                  " LIMIT ?", [target, *([system] if system is not None else []), int(limit)])
    return [_queued(r) for r in rows]


def record(db: Db, delivery_id: int, *, at: float, outcome: str, code: str = "",
           detail: str = "", size: int = 0, state: str | None = None,
           next_at: float | None = None) -> None:
    """One attempt (outcome: sent | retry | failed) and the delivery's new state."""
    with db.transaction(lock="cityguard:outbox"):
        db.execute("INSERT INTO notify_attempts (delivery_id, at, outcome, code, detail, bytes)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
                   [delivery_id, at, outcome, code, detail[:2000], size])
        db.execute(
            "UPDATE notify_deliveries SET attempts = attempts + 1, last_code = ?,"
            " last_error = ?, state = coalesce(?, state), next_at = coalesce(?, next_at),"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
            [code, "" if outcome == "sent" else detail[:2000], state, next_at, state, at,
             delivery_id])


def sent_times(db: Db, target: str, since: float) -> list[float]:
    """When the target was last written to (any attempt that reached it), oldest first: the
    rate limits count them across processes."""
    return [float(r[0]) for r in db.all(
        "SELECT a.at FROM notify_attempts a JOIN notify_deliveries d ON d.id = a.delivery_id"
        " WHERE d.target = ? AND a.at >= ? AND a.code <> 'unreachable' ORDER BY a.at",
        [target, since])]


def summary(db: Db) -> list[dict[str, Any]]:
    """Per target and state: how many, the oldest event, the last error."""
    rows = db.all(
        "SELECT d.target, d.state, count(*), min(e.created), max(d.attempts) FROM"
        " notify_deliveries d JOIN notify_events e ON e.id = d.event_ref"
        " GROUP BY d.target, d.state ORDER BY d.target, d.state")
    return [{"target": r[0], "state": r[1], "count": int(r[2]), "oldest": float(r[3]),
             "max_attempts": int(r[4])} for r in rows]


def deliveries(db: Db, *, target: str | None = None, states: Sequence[str] = (),
               limit: int = 50) -> list[dict[str, Any]]:
    """The newest deliveries (filtered), with their event's kind, system and last error."""
    sql = ("SELECT d.id, d.target, d.state, d.attempts, d.last_code, d.last_error, d.sent_at,"
           " d.next_at, e.event_id, e.kind, e.system, e.severity, e.created FROM"
           " notify_deliveries d JOIN notify_events e ON e.id = d.event_ref")
    where = Where().equal("d.target", target).any_of("d.state", states)
    rows = db.all(sql + where.sql() + " ORDER BY d.id DESC LIMIT ?", [*where.args, int(limit)])
    keys = ("id", "target", "state", "attempts", "code", "error", "sent_at", "next_at",
            "event_id", "kind", "system", "severity", "created")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def attempts(db: Db, delivery_id: int) -> list[dict[str, Any]]:
    rows = db.all("SELECT at, outcome, code, detail, bytes FROM notify_attempts WHERE"
                  " delivery_id = ? ORDER BY id", [delivery_id])
    return [dict(zip(("at", "outcome", "code", "detail", "bytes"), r, strict=True)) for r in rows]


def requeue(db: Db, *, target: str | None = None, failed: bool = True) -> int:
    """Failed (and, with failed=False, only waiting) deliveries pending again, due now."""
    states = ["pending", "failed"] if failed else ["pending"]
    where = Where().any_of("state", states).equal("target", target)
    sql = "UPDATE notify_deliveries SET state = 'pending', next_at = 0" + where.sql()
    with db.transaction(lock="cityguard:outbox"):
        return max(int(db.execute(sql, where.args).rowcount or 0), 0)


def get_state(db: Db, key: str) -> str | None:
    return db.scalar("SELECT value FROM notify_state WHERE key = ?", [key])


def set_state(db: Db, key: str, value: str) -> None:
    with db.transaction(lock="cityguard:outbox"):
        db.execute("INSERT INTO notify_state (key, value) VALUES (?, ?) ON CONFLICT (key)"
                   " DO UPDATE SET value = excluded.value", [key, value])
