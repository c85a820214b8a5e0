"""`cityguard store check|copy`: is a store sound, and move one store into another.

copy takes every row of every table, ids included (so every reference stays right), into an
empty store of the same schema in one transaction, then compares the two: row counts per table,
and digests of the findings' identities and status and of the whole status and rectification
history. A team's SQLite file moved into the central server loses nothing, or the copy fails
and leaves the server as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from cityguard.core.errors import DataError, UsageError
from cityguard.store.backends import Db
from cityguard.store.schema import SCHEMA_VERSION, check_version

#: every table, parents before children (foreign keys), with the column that orders its rows
TABLES: tuple[tuple[str, str], ...] = (
    ("systems", "id"), ("imports", "id"), ("import_assets", "import_id, tool, asset_key"),
    ("texts", "key"), ("findings", "id"), ("status_history", "id"), ("runs", "run_id"),
    ("waivers", "system, ref"), ("gate_results", "id"), ("rectifications", "id"),
    ("rectification_history", "id"), ("users", "id"), ("password_history", "id"),
    ("sessions", "token_hash"), ("audit_log", "id"), ("notify_events", "id"),
    ("notify_deliveries", "id"), ("notify_attempts", "id"), ("notify_state", "key"),
)  # fmt: skip
#: tables whose id column the server numbers (PostgreSQL's sequence moves past copied ids)
IDENTITY = ("systems", "imports", "findings", "status_history", "gate_results",
            "rectifications", "rectification_history", "users", "password_history",
            "audit_log", "notify_events", "notify_deliveries", "notify_attempts")  # fmt: skip
#: references that must resolve (child table, column, parent table, parent column)
REFERENCES = (
    ("imports", "system_id", "systems", "id"), ("findings", "system_id", "systems", "id"),
    ("findings", "first_import_id", "imports", "id"),
    ("findings", "last_import_id", "imports", "id"),
    ("findings", "description_key", "texts", "key"),
    ("findings", "solution_key", "texts", "key"),
    ("status_history", "finding_id", "findings", "id"),
    ("import_assets", "import_id", "imports", "id"),
    ("rectifications", "system_id", "systems", "id"),
    ("rectifications", "finding_id", "findings", "id"),
    ("rectification_history", "rectification_id", "rectifications", "id"),
    ("password_history", "user_id", "users", "id"), ("sessions", "user_id", "users", "id"),
    ("notify_deliveries", "event_ref", "notify_events", "id"),
    ("notify_attempts", "delivery_id", "notify_deliveries", "id"),
)  # fmt: skip
#: what must be equal after a copy, beyond the counts
DIGESTS = {
    "findings": "SELECT s.name, f.fingerprint, f.status, f.status_until, f.first_seen FROM"
                " findings f JOIN systems s ON s.id = f.system_id ORDER BY f.id",
    "status_history": "SELECT finding_id, old_status, new_status, at, by, reason, until,"
                      " import_id FROM status_history ORDER BY id",
    "rectification_history": "SELECT rectification_id, old_state, new_state, at, by, reason"
                             " FROM rectification_history ORDER BY id",
    "runs": "SELECT run_id, system, created, conclusion FROM runs ORDER BY run_id",
    "audit_log": "SELECT id, at, actor, action, target, outcome, hash FROM audit_log ORDER BY id",
}
BATCH = 5000


@dataclass
class CheckReport:
    backend: str
    where: str
    schema: int
    expected: int = SCHEMA_VERSION
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"backend": self.backend, "store": self.where, "schema": self.schema,
                "expected_schema": self.expected, "rows": self.rows, "problems": self.problems,
                "ok": self.ok}


def counts(db: Db) -> dict[str, int]:
    return {t: int(db.scalar(f"SELECT count(*) FROM {t}") or 0) for t, _ in TABLES}


def check(db: Db) -> CheckReport:
    """Schema version, row counts, dangling references (and SQLite's own integrity check)."""
    version = check_version(db)
    report = CheckReport(db.name, db.where, version)
    if version < SCHEMA_VERSION:
        report.problems.append(f"schema {version} is older than {SCHEMA_VERSION}: run "
                               "`cityguard store migrate`")
        return report
    report.rows = counts(db)
    for child, col, parent, pcol in REFERENCES:
        n = int(db.scalar(
            f"SELECT count(*) FROM {child} c WHERE c.{col} IS NOT NULL AND NOT EXISTS"
            f" (SELECT 1 FROM {parent} p WHERE p.{pcol} = c.{col})") or 0)
        if n:
            report.problems.append(f"{n} row(s) of {child}.{col} point to no {parent}")
    dup = int(db.scalar("SELECT count(*) FROM (SELECT system_id, fingerprint FROM findings"
                        " GROUP BY system_id, fingerprint HAVING count(*) > 1) d") or 0)
    if dup:
        report.problems.append(f"{dup} fingerprint(s) stored twice in one system")
    if db.name == "sqlite":
        for (line,) in db.all("PRAGMA quick_check"):
            if line != "ok":
                report.problems.append(f"SQLite: {line}")
    return report


def digest(db: Db, sql: str) -> str:
    h = hashlib.sha256()
    for row in db.stream(sql):
        h.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _columns(db: Db, table: str) -> list[str]:
    cur = db.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    return [d[0] for d in cur.description]


def _batches(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(rows, size)):
        yield batch


def copy(src: Db, dst: Db) -> dict[str, Any]:
    """Every row of `src` into the empty store `dst`, verified; the counts per table."""
    for db in (src, dst):
        if check_version(db) != SCHEMA_VERSION:
            raise UsageError(f"{db.where} is not at schema {SCHEMA_VERSION}: run "
                             "`cityguard store migrate` on it first")
    filled = {t: n for t, n in counts(dst).items() if n}
    if filled:
        held = ", ".join(f"{n} {t}" for t, n in filled.items())
        raise UsageError(f"the destination {dst.where} is not empty ({held}): copy into a new, "
                         "empty store")
    with dst.bulk() as bulk:
        bulk.lock("cityguard:copy")
        for table, order in TABLES:
            cols = _columns(dst, table)
            rows = src.stream(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}")
            for batch in _batches(iter(rows), BATCH):
                bulk.load(table, cols, [tuple(r) for r in batch])
        if dst.name == "postgresql":
            for table in IDENTITY:
                dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                            f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
        # verified inside the transaction: a copy that differs is rolled back, not kept
        before, after = counts(src), counts(dst)
        if before != after:
            raise DataError(dst.where, f"copy incomplete: {before} rows in the source, {after} "
                                       "in the destination; nothing was kept")
        for name, sql in DIGESTS.items():
            if digest(src, sql) != digest(dst, sql):
                raise DataError(dst.where, f"copy differs from the source in {name}; nothing "
                                           "was kept")
    return after
