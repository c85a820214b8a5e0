"""What the city's 12-month trend reads: run summaries and import counts (never documents).

Small tables only: `runs` without their documents (a few per system and year) and `imports`,
whose `new` and `fixed` columns already count the findings each import opened and closed.
"""

from __future__ import annotations

from typing import Any

from cityguard.store.backends import Db


def run_points(db: Db) -> list[tuple[str, str, float | None, int | None]]:
    """(system, created, compliance rate, open high-risk issues) of every run, oldest first."""
    rows = db.all("SELECT system, created, compliance_rate, high_risks_open FROM runs"
                  " ORDER BY created, run_id")
    return [(r[0], str(r[1]), r[2], r[3]) for r in rows]


def import_months(db: Db, since: str) -> dict[str, tuple[int, int]]:
    """'YYYY-MM' → (findings opened, findings fixed) by the imports of that month."""
    out: dict[str, tuple[int, int]] = {}
    for month, new, fixed in db.all(
        "SELECT substr(imported_at, 1, 7), sum(new + reopened), sum(fixed) FROM imports"
        " WHERE imported_at >= ? GROUP BY substr(imported_at, 1, 7)", [since]
    ):
        out[str(month)] = (int(new or 0), int(fixed or 0))
    return out


def system_runs(db: Db, system: str) -> list[dict[str, Any]]:
    """A system's runs, newest first (the system page's history)."""
    rows = db.all("SELECT run_id, created, level, conclusion, score, compliance_rate,"
                  " high_risks_open, non_compliant_items FROM runs WHERE system = ?"
                  " ORDER BY created DESC, run_id DESC", [system])
    return [dict(zip(r.keys(), tuple(r), strict=False)) for r in rows]


def gate_history(db: Db, system: str, limit: int = 50) -> list[dict[str, Any]]:
    """A system's gate decisions, newest first."""
    rows = db.all("SELECT stage, passed, at, failed, run_id FROM gate_results WHERE system = ?"
                  " ORDER BY id DESC LIMIT ?", [system, limit])
    return [{"stage": r[0], "passed": bool(r[1]), "at": r[2],
             "failed": [x for x in (r[3] or "").split("\n") if x], "run_id": r[4]}
            for r in rows]
