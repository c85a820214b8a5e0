"""The embedded findings and history store (SQLite).

Where: `--store PATH`, else the CITYGUARD_STORE environment variable, else
`.cityguard/cityguard.db` in the working directory. WAL mode, numbered migrations
(store/schema.py). One scan file is one transaction: all of it or none of it.

Public API (used by cli and by the assessment/report commands):
    open_store(path=None) -> Store
    Store.import_findings(findings, file=, format=, tool=, system=, sha256=) -> ImportResult
    Store.list_findings(...), get_finding(ref), set_status(ref, action, reason, ...)
    Store.save_run(assessment_dict), load_run(run_id | "latest", system=None), list_runs(system)
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cityguard.core.errors import DataError, UsageError
from cityguard.model import Finding
from cityguard.store import queries
from cityguard.store.imports import ImportResult, expire_acceptances, import_findings
from cityguard.store.imports import record_transition as _transition
from cityguard.store.schema import SCHEMA_VERSION, migrate

__all__ = ["DEFAULT_SYSTEM", "SCHEMA_VERSION", "ImportResult", "Store", "default_path",
           "open_store"]  # fmt: skip

DEFAULT_SYSTEM = "default"
ACTIONS = {"accept": "accepted", "false-positive": "false_positive", "reopen": "reopened"}


def default_path() -> Path:
    env = os.environ.get("CITYGUARD_STORE", "").strip()
    return Path(env) if env else Path.cwd() / ".cityguard" / "cityguard.db"


def open_store(path: str | Path | None = None) -> Store:
    """Open (creating and migrating as needed) the store at `path` or the default place."""
    p = Path(path) if path else default_path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(p), isolation_level=None, timeout=30.0)
    except (OSError, sqlite3.Error) as exc:
        raise DataError(p, f"cannot open the store ({exc})") from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        for pragma in ("synchronous = NORMAL", "foreign_keys = ON", "busy_timeout = 30000",
                       "temp_store = FILE", "cache_size = -32000"):  # fmt: skip
            conn.execute(f"PRAGMA {pragma}")
        migrate(conn, str(p))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DataError(p, f"not a cityguard store ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return Store(p, conn)


def _now(now: datetime | None = None) -> tuple[str, str]:
    """(timestamp with timezone, date) for status changes and expiry checks."""
    now = (now or datetime.now()).astimezone()
    return now.isoformat(timespec="seconds"), now.date().isoformat()


def _until(value: str | date | None, today: str) -> str | None:
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise UsageError(f"--until {text!r} is not a date (YYYY-MM-DD)") from None
    if day.isoformat() < today:
        raise UsageError(f"--until {day} is in the past")
    return day.isoformat()


class Store:
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; any exception (even Ctrl-C) rolls everything back."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- systems and imports ---------------------------------------------------------------

    def _system_id(self, name: str, now: str) -> int:
        self.conn.execute(
            "INSERT OR IGNORE INTO systems (name, created) VALUES (?, ?)", (name, now)
        )
        return self.conn.execute("SELECT id FROM systems WHERE name = ?", (name,)).fetchone()[0]

    def systems(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM systems ORDER BY name")]

    def import_findings(
        self,
        findings: Iterable[Finding],
        *,
        file: str,
        format: str,
        tool: str,
        system: str | None = None,
        sha256: str = "",
        now: datetime | None = None,
    ) -> ImportResult:
        """Import one file's findings in one transaction (rolled back if reading fails)."""
        stamp, today = _now(now)
        system = system or DEFAULT_SYSTEM
        with self.transaction() as conn:
            expired = expire_acceptances(conn, today, stamp)
            system_id = self._system_id(system, stamp)
            cur = conn.execute(
                "INSERT INTO imports (system_id, file, sha256, format, tool, scope, imported_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (system_id, file, sha256, format, tool, f"{system}/{tool}",
                 stamp),
            )  # fmt: skip
            result = ImportResult(file, format, tool, system, int(cur.lastrowid or 0), sha256)
            result.expired = expired
            return import_findings(conn, system_id, findings, result, stamp)

    def imports(self, system: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT i.*, s.name AS system, (SELECT count(*) FROM import_assets a"
            " WHERE a.import_id = i.id) AS assets FROM imports i"
            " JOIN systems s ON s.id = i.system_id"
        )
        args: list[Any] = []
        if system:
            sql += " WHERE s.name = ?"
            args.append(system)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY i.id", args)]

    # --- findings ----------------------------------------------------------------------------

    def expire_acceptances(self, now: datetime | None = None) -> int:
        stamp, today = _now(now)
        with self.transaction() as conn:
            return expire_acceptances(conn, today, stamp)

    def list_findings(
        self,
        *,
        system: str | None = None,
        severities: Sequence[str] = (),
        statuses: Sequence[str] = (),
        tools: Sequence[str] = (),
        limit: int | None = None,
        now: datetime | None = None,
    ) -> Iterator[Finding]:
        self.expire_acceptances(now)
        return queries.list_findings(
            self.conn, system=system, severities=severities, statuses=statuses, tools=tools,
            limit=limit,
        )  # fmt: skip

    def get_finding(
        self, ref: str, system: str | None = None, now: datetime | None = None
    ) -> Finding:
        self.expire_acceptances(now)
        return queries.get_finding(self.conn, ref, system)

    def history(self, finding_id: int) -> list[dict[str, Any]]:
        return queries.history(self.conn, finding_id)

    def counts(self, system: str | None = None) -> dict[str, dict[str, int]]:
        return queries.counts(self.conn, system)

    def set_status(
        self,
        ref: str,
        action: str,
        reason: str,
        *,
        by: str | None = None,
        until: str | date | None = None,
        system: str | None = None,
        now: datetime | None = None,
    ) -> Finding:
        """accept | false-positive | reopen one finding, keeping who, why, when and until."""
        if action not in ACTIONS:
            raise UsageError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        if not reason or not reason.strip():
            raise UsageError("a reason is required (--reason)")
        stamp, today = _now(now)
        new = ACTIONS[action]
        until_day = _until(until, today) if new != "reopened" else None
        if until is not None and new == "reopened":
            raise UsageError("--until applies to accept and false-positive only")
        by = by or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
        with self.transaction() as conn:
            expire_acceptances(conn, today, stamp)
            f = queries.get_finding(conn, ref, system)
            if new == "reopened" and f.status in ("open", "reopened"):
                raise UsageError(f"finding {f.id} is already {f.status}")
            _transition(conn, [int(f.id or 0)], f.status, new, at=stamp, by=by,
                        reason=reason.strip(), until=until_day)  # fmt: skip
        return queries.get_finding(self.conn, str(f.id))

    # --- assessment runs ---------------------------------------------------------------------

    def save_run(self, assessment: dict[str, Any]) -> str:
        """Keep an Assessment JSON document (assessment_to_dict) under its run_id."""
        run_id = str(assessment.get("run_id") or "")
        if not run_id:
            raise DataError(str(self.path), "an assessment without run_id cannot be stored")
        system = assessment.get("system") or {}
        summary = assessment.get("summary") or {}
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO runs (run_id, system, created, level, conclusion, score,"
                " compliance_rate, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, system.get("name", ""), assessment.get("created", ""),
                 system.get("level"), summary.get("conclusion"), summary.get("score"),
                 summary.get("compliance_rate"), json.dumps(assessment, ensure_ascii=False)),
            )  # fmt: skip
        return run_id

    def load_run(self, run_id: str = "latest", system: str | None = None) -> dict[str, Any]:
        """One stored Assessment document; "latest" = the newest (of a system, if given)."""
        if run_id == "latest":
            sql, args = "SELECT document FROM runs", []
            if system:
                sql, args = sql + " WHERE system = ?", [system]
            row = self.conn.execute(sql + " ORDER BY created DESC, rowid DESC LIMIT 1", args)
            found = row.fetchone()
        else:
            found = self.conn.execute(
                "SELECT document FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        if not found:
            where = f" for system {system!r}" if system else ""
            raise UsageError(f"no stored run {run_id!r}{where} in {self.path}")
        return json.loads(found[0])

    def list_runs(self, system: str | None = None) -> list[dict[str, Any]]:
        """Summaries of stored runs, oldest first (the order of a trend)."""
        sql = "SELECT run_id, system, created, level, conclusion, score, compliance_rate FROM runs"
        args: list[Any] = []
        if system:
            sql += " WHERE system = ?"
            args.append(system)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY created, rowid", args)]
