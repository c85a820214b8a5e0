"""What the notifier reads to find events: runs, imports, gate results, expiring waivers and
acceptances, since a watermark. Read-only; bounded (top-N lists, counts for the rest).

Every function returns plain dicts; the notifier (cityguard.notify.sources) turns them into
events. Ids are watermarks for imports and gate results (they only grow); runs are read by
their `created` stamp, which the stable event ids make safe to read twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from cityguard.store.backends import Db

_RANKED = ("critical", "high", "medium", "low", "info")


def runs_since(db: Db, created_after: str, *, limit: int = 500,
               system: str | None = None) -> list[dict[str, Any]]:
    """Runs created at or after the stamp (of one system when given), oldest first, with
    their documents. At, not after: stamps are to the second, and a run kept in the second
    of the last one read must not be missed (reading that one again is harmless)."""
    only = " AND system = ?" if system is not None else ""
    rows = db.all("SELECT run_id, system, created, document FROM runs WHERE created >= ?"
                  f"{only} ORDER BY created, run_id LIMIT ?",
                  [created_after, *([system] if system is not None else []), int(limit)])
    return [{"run_id": r[0], "system": r[1], "created": r[2], "document": json.loads(r[3])}
            for r in rows]


def previous_run(db: Db, system: str, created: str, run_id: str) -> dict[str, Any] | None:
    """The run of the same system just before this one (to tell what is new)."""
    row = db.one("SELECT document FROM runs WHERE system = ? AND (created < ? OR (created = ?"
                 " AND run_id < ?)) ORDER BY created DESC, run_id DESC LIMIT 1",
                 [system, created, created, run_id])
    return None if row is None else json.loads(row[0])


def imports_after(db: Db, import_id: int, *, limit: int = 500,
                  system: str | None = None) -> list[dict[str, Any]]:
    only = " AND s.name = ?" if system is not None else ""
    rows = db.all(
        "SELECT i.id, s.name, i.file, i.tool, i.format, i.imported_at, i.new, i.reopened,"
        " i.fixed, i.findings_read FROM imports i JOIN systems s ON s.id = i.system_id"
        f" WHERE i.id > ?{only} ORDER BY i.id LIMIT ?",
        [int(import_id), *([system] if system is not None else []), int(limit)])
    keys = ("id", "system", "file", "tool", "format", "imported_at", "new", "reopened",
            "fixed", "read")
    return [dict(zip(keys, r, strict=True)) for r in rows]


_FINDING_COLS = ("id", "title", "severity", "asset_key", "rule_id", "port", "cves", "tool")


def new_findings(db: Db, import_id: int, *, top: int = 100) -> tuple[dict[str, int],
                                                                      list[dict[str, Any]]]:
    """(count per severity, the `top` most severe) of the findings an import saw first."""
    sid = db.scalar("SELECT system_id FROM imports WHERE id = ?", [int(import_id)])
    counts: dict[str, int] = {}
    for sev, n in db.all("SELECT severity, count(*) FROM findings WHERE system_id = ? AND"
                         " first_import_id = ? GROUP BY severity", [sid, int(import_id)]):
        counts[sev] = int(n)
    listed: list[dict[str, Any]] = []
    for sev in _RANKED:  # one indexed walk per severity, most severe first
        if len(listed) >= top or not counts.get(sev):
            continue
        rows = db.all(f"SELECT {', '.join(_FINDING_COLS)} FROM findings WHERE system_id = ?"
                      " AND severity = ? AND first_import_id = ? ORDER BY id LIMIT ?",
                      [sid, sev, int(import_id), top - len(listed)])
        listed += [dict(zip(_FINDING_COLS, r, strict=True)) for r in rows]
    return counts, listed


def reopened_findings(db: Db, import_id: int, *, top: int = 100) -> tuple[dict[str, int],
                                                                           list[dict[str, Any]]]:
    """(count per severity, the `top` most severe) of the findings an import reopened."""
    cols = ", ".join(f"f.{c}" for c in _FINDING_COLS)
    rows = db.all(f"SELECT {cols} FROM status_history h JOIN findings f ON f.id = h.finding_id"
                  " WHERE h.import_id = ? AND h.new_status = 'reopened' ORDER BY f.id",
                  [int(import_id)])
    found = [dict(zip(_FINDING_COLS, r, strict=True)) for r in rows]
    counts: dict[str, int] = {}
    for f in found:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    found.sort(key=lambda f: (_RANKED.index(f["severity"]) if f["severity"] in _RANKED else 9,
                              f["id"]))
    return counts, found[:top]


def gates_after(db: Db, gate_id: int, *, limit: int = 500,
                system: str | None = None) -> list[dict[str, Any]]:
    only = " AND system = ?" if system is not None else ""
    rows = db.all("SELECT id, system, stage, passed, at, failed, run_id FROM gate_results"
                  f" WHERE id > ?{only} ORDER BY id LIMIT ?",
                  [int(gate_id), *([system] if system is not None else []), int(limit)])
    return [{"id": int(r[0]), "system": r[1], "stage": r[2], "passed": bool(r[3]), "at": r[4],
             "failed": [x for x in (r[5] or "").split("\n") if x], "run_id": r[6]}
            for r in rows]


def last_ids(db: Db) -> tuple[int, int]:
    """(newest import id, newest gate result id): the watermarks of a first scan."""
    return (int(db.scalar("SELECT coalesce(max(id), 0) FROM imports") or 0),
            int(db.scalar("SELECT coalesce(max(id), 0) FROM gate_results") or 0))


def expiring(db: Db, today: str, horizon: str) -> dict[str, list[dict[str, Any]]]:
    """Per system: waivers and accepted / false-positive findings ending in [today, horizon]."""
    out: dict[str, list[dict[str, Any]]] = {}
    for system, ref, subject, expires in db.all(
        "SELECT system, ref, subject, expires FROM waivers WHERE expires >= ? AND expires <= ?"
        " ORDER BY system, expires, ref", [today, horizon]
    ):
        out.setdefault(system, []).append({"kind": "waiver", "ref": ref, "subject": subject,
                                           "expires": expires})
    for system, fid, title, status, until in db.all(
        "SELECT s.name, f.id, f.title, f.status, f.status_until FROM findings f JOIN systems s"
        " ON s.id = f.system_id WHERE f.status IN ('accepted', 'false_positive') AND"
        " f.status_until >= ? AND f.status_until <= ? ORDER BY s.name, f.status_until, f.id",
        [today, horizon]
    ):
        out.setdefault(system, []).append({"kind": status, "ref": f"#{fid}", "subject": title,
                                           "expires": until})
    return out


_EXPORT = ("SELECT f.id, f.fingerprint, s.name, f.tool, f.format, f.asset_kind, f.asset_key,"
           " f.port, f.protocol, f.rule_id, f.title, f.severity, f.severity_raw, f.cvss_score,"
           " f.cvss_vector, f.cves, f.cwes, f.location, f.first_seen, f.last_seen, f.status"
           " FROM findings f JOIN systems s ON s.id = f.system_id WHERE f.last_seen >= ?")
_EXPORT_KEYS = ("id", "fingerprint", "system", "tool", "format", "asset_kind", "asset_key",
                "port", "protocol", "rule_id", "title", "severity", "severity_raw",
                "cvss_score", "cvss_vector", "cves", "cwes", "location", "first_seen",
                "last_seen", "status")


def findings_seen_since(db: Db, since: str, system: str | None = None) -> Iterator[dict[str,
                                                                                        Any]]:
    """Findings last seen at or after `since` (a date or a stamp), streamed in id order."""
    sql, args = _EXPORT, [since]
    if system:
        sql += " AND s.name = ?"
        args.append(system)
    for row in db.stream(sql + " ORDER BY f.id", args):
        d = dict(zip(_EXPORT_KEYS, row, strict=True))
        d["cves"] = [c for c in (d["cves"] or "").split("\n") if c]
        d["cwes"] = [c for c in (d["cwes"] or "").split("\n") if c]
        yield d


def runs_created_since(db: Db, since: str, system: str | None = None
                       ) -> Iterator[dict[str, Any]]:
    """Run documents created at or after `since`, oldest first, one at a time."""
    sql, args = "SELECT run_id, system, created, document FROM runs WHERE created >= ?", [since]
    if system:
        sql += " AND system = ?"
        args.append(system)
    for run_id, name, created, document in db.stream(sql + " ORDER BY created, run_id", args):
        yield {"run_id": run_id, "system": name, "created": created,
               "document": json.loads(document)}
