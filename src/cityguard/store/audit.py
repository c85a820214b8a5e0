"""The audit log (安全审计) of the dashboard: append, read back, export, retention, verify.

Records are only ever appended; the database refuses to change one and to delete one younger
than schema.AUDIT_FLOOR_DAYS (triggers of migration 4). Each record's hash covers its fields
and the hash of the record before it (taken under a lock, so the chain has no forks): a record
removed or edited behind the database's back breaks the chain, and `verify` names where.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from cityguard.model.accounts import AuditRecord
from cityguard.store.backends import Db
from cityguard.store.where import Where

_COLUMNS = ("id", "at", "actor", "role", "action", "target", "outcome", "reason", "addr",
            "prev_hash", "hash")  # fmt: skip
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM audit_log"
GENESIS = "0" * 64
#: the longest text kept per field (a reason, a target); longer input is cut, never refused
MAX_FIELD = 500


def _record(row: Any) -> AuditRecord:
    return AuditRecord(**{c: row[i] for i, c in enumerate(_COLUMNS)})


def chain_hash(prev: str, fields: list[str]) -> str:
    h = hashlib.sha256(prev.encode())
    for value in fields:
        data = value.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(4, "big") + data)
    return h.hexdigest()


def append(db: Db, *, at: str, actor: str, role: str, action: str, target: str,
           outcome: str, reason: str = "", addr: str = "") -> int:
    """Add one record (its own transaction, serialised with every other writer of the log)."""
    values = [str(v or "")[:MAX_FIELD] for v in (at, actor, role, action, target, outcome,
                                                 reason, addr)]
    with db.transaction(lock="cityguard:audit"):
        prev = db.scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS
        return db.insert_id(
            "INSERT INTO audit_log (at, actor, role, action, target, outcome, reason, addr,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [*values, prev, chain_hash(prev, values)])


def listing(db: Db, *, before_id: int | None = None, limit: int = 100, actor: str = "",
            action: str = "", outcome: str = "") -> list[AuditRecord]:
    """Newest first, a page at a time (keyset on id)."""
    where = Where().equal("actor", actor).equal("action", action).equal("outcome", outcome)
    if before_id is not None:
        where.add("id < ?", int(before_id))
    sql = _SELECT + where.sql() + " ORDER BY id DESC LIMIT ?"
    return [_record(r) for r in db.all(sql, [*where.args, int(limit)])]


def stream(db: Db, since: str = "", until: str = "") -> Iterator[AuditRecord]:
    """Every record (oldest first) within [since, until] when given: for export."""
    where = Where()
    if since:
        where.add("at >= ?", since)
    if until:
        where.add("at <= ?", until)
    for row in db.stream(_SELECT + where.sql() + " ORDER BY id", where.args):
        yield _record(row)


def purge(db: Db, older_than: str) -> int:
    """Delete records older than `older_than` (retention); the database refuses young ones."""
    with db.transaction(lock="cityguard:audit"):
        n = int(db.scalar("SELECT count(*) FROM audit_log WHERE at < ?", [older_than]) or 0)
        if n:
            db.execute("DELETE FROM audit_log WHERE at < ?", [older_than])
        return n


def verify(db: Db) -> list[str]:
    """Problems of the hash chain (empty: every record is as written, none missing between)."""
    problems: list[str] = []
    prev: str | None = None
    for rec in stream(db):
        fields = [rec.at, rec.actor, rec.role, rec.action, rec.target, rec.outcome, rec.reason,
                  rec.addr]
        if prev is not None and rec.prev_hash != prev:
            problems.append(f"record {rec.id}: the record before it is missing or changed")
        if chain_hash(rec.prev_hash, fields) != rec.hash:
            problems.append(f"record {rec.id}: changed after it was written")
        prev = rec.hash
    return problems
