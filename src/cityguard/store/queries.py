"""Reading findings back, and the status changes a person makes (accept, false positive, reopen)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from cityguard.core.errors import UsageError
from cityguard.model import FINDING_STATUSES, Finding, Severity
from cityguard.store.backends import Db
from cityguard.store.where import Where, in_list

#: severities in the order a list shows them; anything else (info) comes last
_RANKED = ("critical", "high", "medium", "low")
_SELECT = (
    "SELECT f.*, s.name AS system, coalesce(d.body, f.description) AS description,"
    " coalesce(r.body, f.solution) AS solution, li.file AS source_file FROM findings f"
    " JOIN imports li ON li.id = f.last_import_id"
    " JOIN systems s ON s.id = f.system_id LEFT JOIN texts d ON d.key = f.description_key"
    " LEFT JOIN texts r ON r.key = f.solution_key"
)
_SPLIT = ("cves", "cwes", "tags")


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def row_to_finding(row: Any) -> Finding:
    f = Finding(
        tool=row["tool"],
        format=row["format"],
        asset_kind=row["asset_kind"],
        asset_key=row["asset_key"],
        rule_id=row["rule_id"],
        title=row["title"],
        severity=Severity(row["severity"]),
        severity_raw=row["severity_raw"],
        port=row["port"],
        protocol=row["protocol"],
        cvss_score=row["cvss_score"],
        cvss_vector=row["cvss_vector"],
        cves=_split(row["cves"]),
        cwes=_split(row["cwes"]),
        description=row["description"] or "",
        solution=row["solution"] or "",
        location=row["location"],
        evidence=row["evidence"],
        references=_split(row["refs"]),
        tags=_split(row["tags"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        status=row["status"],
        id=row["id"],
        source_file=row["source_file"],
        extra={
            "system": row["system"],
            "status_at": row["status_at"],
            "status_by": row["status_by"],
            "status_reason": row["status_reason"],
            "status_until": row["status_until"],
            "first_import_id": row["first_import_id"],
            "last_import_id": row["last_import_id"],
        },
    )
    f._fingerprint = row["fingerprint"]
    return f


def list_findings(
    db: Db,
    *,
    system: str | None = None,
    severities: Sequence[str] = (),
    statuses: Sequence[str] = (),
    tools: Sequence[str] = (),
    limit: int | None = None,
) -> Iterator[Finding]:
    """Findings matching every filter given, most severe first (a lazy cursor)."""
    for status in statuses:
        if status not in FINDING_STATUSES:
            raise UsageError(f"unknown status {status!r}; known: {', '.join(FINDING_STATUSES)}")
    where = Where()
    if system:  # by id: the planner then reads the system's own index, not the city's
        sid = db.scalar("SELECT id FROM systems WHERE name = ?", [system])
        if sid is None:
            return
        where.add("f.system_id = ?", int(sid))
    where.any_of("f.status", statuses).any_of("f.tool", tools)
    remaining = None if limit is None else int(limit)
    # one query per severity, most severe first, each in id order: every one walks an index
    # (findings_severity, or the system's) instead of sorting a million rows for one page
    for group in (*_RANKED, None):
        wanted = [s for s in severities if (s == group if group else s not in _RANKED)]
        if severities and not wanted:
            continue
        if group is not None:
            cond = Where().add("f.severity = ?", group)
        else:
            cond = Where().add(f"f.severity NOT IN ({in_list(len(_RANKED))})", *_RANKED)
            cond.any_of("f.severity", wanted)
        select = _SELECT
        if system and db.name == "sqlite":  # without statistics its planner walks the city's
            select = _SELECT.replace("findings f", "findings f INDEXED BY findings_system_severity")
        cond.extend(where)
        sql = select + cond.sql() + " ORDER BY f.id"
        qargs = list(cond.args)
        if remaining is not None:
            if remaining <= 0:
                return
            sql += " LIMIT ?"
            qargs.append(remaining)
        for row in db.stream(sql, qargs):
            if remaining is not None:
                remaining -= 1
            yield row_to_finding(row)


_HEX = re.compile(r"^[0-9a-f]{4,64}$")


def get_finding(db: Db, ref: str, system: str | None = None) -> Finding:
    """A finding by store id (digits) or by a fingerprint prefix of at least 4 hex digits."""
    ref = ref.strip().lower()
    extra, args = "", []
    if system:
        extra, args = " AND s.name = ?", [system]
    if ref.isdigit():
        row = db.one(_SELECT + " WHERE f.id = ?" + extra, [int(ref), *args])
        if row:
            return row_to_finding(row)
    if not _HEX.match(ref):
        raise UsageError(f"no finding {ref!r}: give a store id or a fingerprint prefix (≥ 4 hex)")
    # every fingerprint with this prefix lies in [ref, ref + "g"): one range of the identity
    # index (system_id, fingerprint) per system, a seek each (no index of its own: schema 7)
    select, systems = _SELECT, "f.system_id IN (SELECT id FROM systems)"
    if db.name == "sqlite":  # its planner would otherwise scan by system for a system filter
        select = _SELECT.replace("findings f", "findings f INDEXED BY findings_identity")
    else:  # PostgreSQL seeks the index per element of an array, not per row of a sub-select
        systems = "f.system_id = ANY(ARRAY(SELECT id FROM systems))"
    rows = db.all(
        select + f" WHERE {systems} AND f.fingerprint >= ? AND f.fingerprint < ?"
        " AND f.fingerprint LIKE ?" + extra + " LIMIT 6",
        [ref, ref + "g", ref + "%", *args],
    )
    if not rows:
        raise UsageError(f"no finding with id or fingerprint {ref!r}")
    if len(rows) > 1:
        ids = ", ".join(str(r["id"]) for r in rows[:5])
        raise UsageError(f"fingerprint prefix {ref!r} is ambiguous (ids {ids}…); give more")
    return row_to_finding(rows[0])


def history(db: Db, finding_id: int) -> list[dict[str, Any]]:
    """Status changes of one finding, oldest first."""
    rows = db.all(
        "SELECT old_status, new_status, at, by, reason, until, import_id FROM status_history"
        " WHERE finding_id = ? ORDER BY id",
        (finding_id,),
    )
    return [dict(r) for r in rows]


def counts(db: Db, system: str | None = None) -> dict[str, dict[str, int]]:
    """{status: {severity: n}} over a system's findings (or all)."""
    sql = (
        "SELECT f.status, f.severity, count(*) FROM findings f JOIN systems s"
        " ON s.id = f.system_id"
        + (" WHERE s.name = ?" if system else "")
        + " GROUP BY f.status, f.severity"
    )
    out: dict[str, dict[str, int]] = {}
    for status, severity, n in db.all(sql, [system] if system else []):
        out.setdefault(status, {})[severity] = n
    return out
