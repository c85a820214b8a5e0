"""`cityguard systems sync DIR…`: the register follows the systems' own manifests.

Every cityguard.yaml below the directories is read (hidden folders and node_modules skipped);
a manifest holds its system's name, level, grade, extensions, stage, department, owner and
assessment interval, the filing certificate's number and date, the newest level-assessment
report's date and conclusion, and the waivers: those fields of the record come from it
(`manifest_fields`), the rest (district, security contact, tags) stays as the register has it.
A bad manifest stops the sync with its file and line before anything is written.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from cityguard.core.errors import DataError, UsageError
from cityguard.model.register import SystemRecord
from cityguard.system.manifest import CONCLUSIONS, DEFAULT_NAME, Manifest, load_manifest

MAX_MANIFESTS = 10_000
_SKIP = {"node_modules", "__pycache__", "venv"}


def find_manifests(dirs: list[Path]) -> list[Path]:
    found: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise UsageError(f"{d} is not a directory")
        for root, subdirs, files in os.walk(d):
            subdirs[:] = sorted(s for s in subdirs if not s.startswith(".") and s not in _SKIP)
            if DEFAULT_NAME in files:
                found.append(Path(root) / DEFAULT_NAME)
                if len(found) > MAX_MANIFESTS:
                    raise UsageError(f"more than {MAX_MANIFESTS} manifests below {d}")
    return found


def _newest(m: Manifest, kind: str) -> object | None:
    dated = [e for e in m.evidence if e.type == kind and e.date is not None]
    return max(dated, key=lambda e: e.date) if dated else None


def record_of(m: Manifest) -> tuple[SystemRecord, list[tuple[str, str, str]]]:
    """The register's view of one manifest, and its waivers (ref, subject, expires)."""
    held = ["name", "level", "grade", "extensions", "stage", "manifest"]
    rec = SystemRecord(name=m.name, level=m.level, grade=m.grade, extensions=m.extensions,
                       stage=m.stage, manifest=str(m.path.resolve()))
    if m.department:
        rec.department = m.department
        held.append("department")
    if m.owner:
        rec.owner = m.owner
        held.append("owner")
    if m.gate.assessment_interval_months:
        rec.interval_months = int(m.gate.assessment_interval_months)
        held.append("interval_months")
    filing = _newest(m, "filing_certificate")
    if filing is not None:
        rec.filing_number = str(filing.fields.get("number") or "")  # type: ignore[attr-defined]
        rec.filing_date = filing.date.isoformat()  # type: ignore[attr-defined]
        held += ["filing_number", "filing_date"]
    report = _newest(m, "level_assessment_report")
    if report is not None:
        rec.report_date = report.date.isoformat()  # type: ignore[attr-defined]
        raw = str(report.fields.get("conclusion") or "")  # type: ignore[attr-defined]
        rec.report_conclusion = CONCLUSIONS.get(raw) or None
    rec.manifest_fields = tuple(held)
    waivers = [(w.id, w.subject, w.expires.isoformat()) for w in m.waivers]
    return rec, waivers


def read_all(paths: list[Path]) -> list[tuple[SystemRecord, list[tuple[str, str, str]]]]:
    out = []
    names: dict[str, Path] = {}
    for p in paths:
        m = load_manifest(p)  # DataError names the file and line
        if m.name in names:
            raise DataError(p, f"system {m.name!r} is also declared by {names[m.name]}",
                            field="name")
        names[m.name] = p
        out.append(record_of(m))
    return out


def merge(old: SystemRecord | None, new: SystemRecord) -> SystemRecord:
    """The manifest's fields over the register's; what only the register knows is kept."""
    if old is None:
        return new
    keep = {f: getattr(old, f) for f in ("district", "contact", "tags")}
    for f in ("department", "owner", "interval_months", "filing_number", "filing_date"):
        if f not in new.manifest_fields:
            keep[f] = getattr(old, f)
    return replace(new, **keep)
