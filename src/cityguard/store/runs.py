"""Assessment runs (the Assessment JSON document under its run_id) and gate results.

Saving a run also keeps what posture reads without opening documents (open high-risk issues,
non-compliant items, the waivers in force) and lets the run verify item rectifications.
"""

from __future__ import annotations

import json
from typing import Any

from cityguard.core.errors import DataError, UsageError
from cityguard.store import rectify
from cityguard.store.backends import Db
from cityguard.store.register import system_id
from cityguard.store.schema import run_facts

_SUMMARY = ("SELECT run_id, system, created, level, conclusion, score, compliance_rate,"
            " high_risks_open, non_compliant_items FROM runs")


def save_run(db: Db, assessment: dict[str, Any], now: str) -> str:
    run_id = str(assessment.get("run_id") or "")
    if not run_id:
        raise DataError(db.where, "an assessment without run_id cannot be stored")
    system = assessment.get("system") or {}
    name = system.get("name", "")
    summary = assessment.get("summary") or {}
    high, items = run_facts(assessment)
    values = [name, assessment.get("created", ""), system.get("level"),
              summary.get("conclusion"), summary.get("score"), summary.get("compliance_rate"),
              json.dumps(assessment, ensure_ascii=False), high, items]
    with db.transaction(lock=f"system:{name}"):
        db.execute(
            "INSERT INTO runs (system, created, level, conclusion, score, compliance_rate,"
            " document, high_risks_open, non_compliant_items, run_id) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET"
            " system = excluded.system, created = excluded.created, level = excluded.level,"
            " conclusion = excluded.conclusion, score = excluded.score,"
            " compliance_rate = excluded.compliance_rate, document = excluded.document,"
            " high_risks_open = excluded.high_risks_open,"
            " non_compliant_items = excluded.non_compliant_items",
            [*values, run_id])
        if name:
            system_id(db, name, now)
            waivers = [(w.get("id") or f"W{n + 1}", _subject(w), str(w.get("expires", "")))
                       for n, w in enumerate(assessment.get("waivers") or ())
                       if isinstance(w, dict) and w.get("expires")]
            set_waivers(db, name, waivers, f"run {run_id}")
            rectify.after_run(db, name, run_id, assessment, now)
    return run_id


def _subject(w: dict[str, Any]) -> str:
    kind = next((k for k in ("check", "item", "finding") if w.get(k)), "check")
    text = f"{kind} {w.get(kind, '')}"
    return f"{text} on {w['asset']}" if w.get("asset") else text


def set_waivers(db: Db, system: str, waivers: list[tuple[str, str, str]], source: str) -> None:
    """The waivers in force for a system (from its manifest or its newest run), replaced."""
    db.execute("DELETE FROM waivers WHERE system = ?", [system])
    db.executemany("INSERT INTO waivers (system, ref, subject, expires, source) VALUES"
                   " (?, ?, ?, ?, ?) ON CONFLICT (system, ref) DO NOTHING",
                   [(system, ref, subject, expires, source) for ref, subject, expires in waivers])


def load_run(db: Db, run_id: str = "latest", system: str | None = None) -> dict[str, Any]:
    if run_id == "latest":
        sql, args = "SELECT document FROM runs", []
        if system:
            sql, args = sql + " WHERE system = ?", [system]
        found = db.one(sql + " ORDER BY created DESC, run_id DESC LIMIT 1", args)
    else:
        found = db.one("SELECT document FROM runs WHERE run_id = ?", [run_id])
    if not found:
        where = f" for system {system!r}" if system else ""
        raise UsageError(f"no stored run {run_id!r}{where} in {db.where}")
    return json.loads(found[0])


def list_runs(db: Db, system: str | None = None) -> list[dict[str, Any]]:
    """Summaries of stored runs, oldest first (the order of a trend)."""
    sql, args = _SUMMARY, []
    if system:
        sql += " WHERE system = ?"
        args.append(system)
    return [dict(r) for r in db.all(sql + " ORDER BY created, run_id", args)]


def save_gate(db: Db, system: str, stage: str, passed: bool, at: str,
              failed: list[str], run_id: str | None = None) -> None:
    """Keep a gate decision (the posture shows the latest per stage)."""
    with db.transaction():
        system_id(db, system, at)
        db.execute("INSERT INTO gate_results (system, stage, passed, at, failed, run_id) VALUES"
                   " (?, ?, ?, ?, ?, ?)", [system, stage, int(passed), at, "\n".join(failed),
                                           run_id])
