"""The register of systems (systems table): add, edit, remove, read; checks on every value.

A system that has a cityguard.yaml (`manifest`) takes the fields that manifest holds from it
(`manifest_fields`): those are changed by editing the manifest and running `systems sync`,
never here, so the register and the repository cannot disagree silently.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from typing import Any

from cityguard.core.dates import parse_day
from cityguard.core.errors import UsageError
from cityguard.model import EXTENSIONS
from cityguard.model.register import STAGES, SystemRecord
from cityguard.store.backends import Db

_GRADE = re.compile(r"^S([1-4])A([1-4])$")
#: record fields kept in the systems table, in column order
COLUMNS = ("name", "department", "district", "owner", "contact", "level", "grade",
           "extensions", "filing_number", "filing_date", "stage", "tags", "manifest",
           "manifest_fields", "interval_months", "report_date", "report_conclusion")  # fmt: skip
EDITABLE = tuple(c for c in COLUMNS if c not in ("name", "manifest_fields", "report_date",
                                                 "report_conclusion"))  # fmt: skip
_LISTS = ("extensions", "tags", "manifest_fields")
MAX_TEXT = 200


def problems(rec: SystemRecord) -> list[tuple[str, str]]:
    """Every (field, problem) of a record; empty when it can be stored."""
    out: list[tuple[str, str]] = []
    if not rec.name or not rec.name.strip():
        out.append(("name", "a system needs a name"))
    for f in ("name", "department", "district", "owner", "contact", "filing_number",
              "manifest"):  # fmt: skip
        value = getattr(rec, f) or ""
        if len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
            out.append((f, f"must be one line of at most {MAX_TEXT} characters"))
    if rec.level is not None and rec.level not in (1, 2, 3, 4):
        out.append(("level", f"must be 1, 2, 3 or 4 (got {rec.level!r})"))
    if rec.grade:
        m = _GRADE.match(rec.grade)
        if not m:
            out.append(("grade", f"must look like S3A2 (got {rec.grade!r})"))
        elif rec.level is not None and max(int(m[1]), int(m[2])) != rec.level:
            out.append(("grade", f"{rec.grade} means level {max(int(m[1]), int(m[2]))}, "
                                 f"not {rec.level}"))
    for ext in rec.extensions:
        if ext not in EXTENSIONS:
            out.append(("extensions", f"unknown extension {ext!r}; known: "
                                      f"{', '.join(EXTENSIONS)}"))
    if rec.stage and rec.stage not in STAGES:
        out.append(("stage", f"must be one of {', '.join(STAGES)} (got {rec.stage!r})"))
    if rec.filing_date is not None and parse_day(rec.filing_date) is None:
        out.append(("filing_date", f"must be a date YYYY-MM-DD (got {rec.filing_date!r})"))
    if rec.interval_months is not None and not 1 <= rec.interval_months <= 60:
        out.append(("interval_months", f"must be 1 to 60 months (got {rec.interval_months})"))
    return out


def check(rec: SystemRecord) -> None:
    found = problems(rec)
    if found:
        field, problem = found[0]
        raise UsageError(f"system {rec.name!r}: {field}: {problem}")


def _values(rec: SystemRecord) -> list[Any]:
    return ["\n".join(getattr(rec, c)) if c in _LISTS else getattr(rec, c) for c in COLUMNS]


def from_row(row: Any) -> SystemRecord:
    d = {c: row[c] for c in COLUMNS}
    for c in _LISTS:
        d[c] = tuple(x for x in (d[c] or "").split("\n") if x)
    for c in ("department", "district", "owner", "contact", "grade", "filing_number", "stage",
              "manifest"):  # fmt: skip
        d[c] = d[c] or ""
    return SystemRecord(**d, id=int(row["id"]), created=row["created"], updated=row["updated"])


def find(db: Db, name: str) -> SystemRecord | None:
    row = db.one("SELECT * FROM systems WHERE name = ?", [name])
    return from_row(row) if row is not None else None


def get(db: Db, name: str) -> SystemRecord:
    rec = find(db, name)
    if rec is None:
        raise UsageError(f"no system {name!r} in the register (`cityguard systems list`)")
    return rec


def listing(db: Db) -> list[SystemRecord]:
    return sorted((from_row(r) for r in db.all("SELECT * FROM systems")), key=lambda r: r.name)


def system_id(db: Db, name: str, now: str) -> int:
    """The id of a system, created (unregistered) when an import or a run first names it."""
    db.execute("INSERT INTO systems (name, created) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
               [name, now])
    return int(db.scalar("SELECT id FROM systems WHERE name = ?", [name]))


def save(db: Db, rec: SystemRecord, now: str) -> None:
    """Insert or replace the register fields of `rec` (by name); the caller checked it."""
    sid = system_id(db, rec.name, now)
    sets = ", ".join(f"{c} = ?" for c in COLUMNS[1:])
    db.execute(f"UPDATE systems SET {sets}, registered = 1, updated = ? WHERE id = ?",
               [*_values(rec)[1:], now, sid])


def add(db: Db, rec: SystemRecord, now: str) -> None:
    check(rec)
    old = find(db, rec.name)
    if old is not None and _registered(db, rec.name):
        raise UsageError(f"system {rec.name!r} is already in the register "
                         f"(`cityguard systems edit`)")
    save(db, rec, now)


def _registered(db: Db, name: str) -> bool:
    return bool(db.scalar("SELECT registered FROM systems WHERE name = ?", [name]))


def edit(db: Db, name: str, changes: dict[str, Any], now: str) -> SystemRecord:
    """Change register fields; fields the system's manifest holds are refused."""
    rec = get(db, name)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise UsageError(f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE)}")
    held = sorted(set(changes) & set(rec.manifest_fields))
    if held:
        raise UsageError(f"system {name!r}: {', '.join(held)} come(s) from its manifest "
                         f"{rec.manifest}: edit the manifest, then run `cityguard systems sync`")
    new = replace(rec, **changes)
    check(new)
    save(db, new, now)
    return new


def remove(db: Db, name: str, *, purge: bool = False) -> dict[str, int]:
    """Take a system out of the register; with purge, also everything stored about it."""
    rec = get(db, name)
    counts = {
        "findings": db.scalar("SELECT count(*) FROM findings WHERE system_id = ?", [rec.id]),
        "imports": db.scalar("SELECT count(*) FROM imports WHERE system_id = ?", [rec.id]),
        "runs": db.scalar("SELECT count(*) FROM runs WHERE system = ?", [name]),
        "rectifications": db.scalar("SELECT count(*) FROM rectifications WHERE system_id = ?",
                                    [rec.id]),
    }
    counts = {k: int(v or 0) for k, v in counts.items()}
    if any(counts.values()) and not purge:
        held = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        raise UsageError(f"system {name!r} has stored history ({held}); `--purge` removes it "
                         "too, in one transaction")
    sid = rec.id
    for sql in (
        "DELETE FROM rectification_history WHERE rectification_id IN"
        " (SELECT id FROM rectifications WHERE system_id = ?)",
        "DELETE FROM rectifications WHERE system_id = ?",
        "DELETE FROM status_history WHERE finding_id IN"
        " (SELECT id FROM findings WHERE system_id = ?)",
        "DELETE FROM findings WHERE system_id = ?",
        "DELETE FROM import_assets WHERE import_id IN"
        " (SELECT id FROM imports WHERE system_id = ?)",
        "DELETE FROM imports WHERE system_id = ?",
    ):
        db.execute(sql, [sid])
    for table in ("runs", "waivers", "gate_results"):
        db.execute(f"DELETE FROM {table} WHERE system = ?", [name])
    db.execute("DELETE FROM systems WHERE id = ?", [sid])
    return counts


def record_fields() -> tuple[str, ...]:
    return tuple(f.name for f in fields(SystemRecord))
