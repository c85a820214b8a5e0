"""What an assessment reads besides the hosts: the manifest, scan files, answers, waivers.

Orchestration helpers for run_assessment: each turns a file named by the user (or by the
manifest) into model objects, through the data loaders and capabilities that own the format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from cityguard.ingest import CoverageGap, file_sha256, read_file
from cityguard.ingest.mapping import map_findings
from cityguard.model import CheckResult, Finding
from cityguard.policy.messages import t
from cityguard.system.answers import load_answers as _load


@dataclass
class ScanImport:
    file: str
    format: str
    findings: int
    new: int | None = None
    seen_again: int | None = None
    reopened: int | None = None
    fixed: int | None = None
    tool: str | None = None  # the scanner (tool family), shown in the report's scan table
    gaps: list[dict[str, str]] | None = None  # the file says the scan did not run / saw nothing

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ScanOutcome:
    findings: list[Finding] = field(default_factory=list)
    imports: list[ScanImport] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)

    def not_checked(self) -> list[str]:
        """One sentence per coverage gap of the scan files (for the summary's not_checked)."""
        return [t(g.message_key, "en", **g.to_dict()) for g in self.gaps]


def import_scans(
    paths: Sequence[str | Path], *, level: int, store: Any = None, system: str | None = None
) -> ScanOutcome:
    """Read, map to MLPS units and (with a store) track every scan file of the run.

    With a store, each file is imported in its own transaction (dedup, fixed/reopened) and the
    assessment uses the store's view of the file's findings, so a finding accepted or marked
    false positive there is not counted as open here.
    """
    out = ScanOutcome()
    for path in paths:
        imported = read_file(path)
        findings = map_findings(imported.findings, level)
        row = ScanImport(str(path), imported.format, len(findings), tool=imported.tool,
                         gaps=[g.to_dict() for g in imported.gaps] or None)
        out.gaps.extend(imported.gaps)
        if store is not None:
            res = store.import_findings(
                findings, file=str(path), format=imported.format, tool=imported.tool,
                system=system, sha256=file_sha256(path),
            )
            row.new, row.seen_again = res.new, res.seen
            row.reopened, row.fixed = res.reopened, res.fixed
        out.findings.extend(findings)
        out.imports.append(row)
    if store is not None and out.findings:  # one read of the store, after every file is in
        _with_store_status(store, out.findings, system)
    return out


def _with_store_status(store: Any, findings: list[Finding], system: str | None) -> None:
    statuses = {
        f.fingerprint: (f.status, f.id)
        for f in store.list_findings(system=system)
    }
    for f in findings:
        status, fid = statuses.get(f.fingerprint, (f.status, f.id))
        f.status, f.id = status, fid


def load_answers(path: str | Path | None, known_unit_ids: set[str]) -> tuple[dict, list]:
    """(answers by unit id, declared mitigations) from an answers file, or empty."""
    if not path:
        return {}, []

    af = _load(path, known_unit_ids)
    return af.answers, list(af.mitigations)


def apply_waivers(
    results: list[CheckResult], findings: list[Finding], waivers: Sequence[Any], today: date
) -> list[CheckResult]:
    """Mark results and findings covered by a valid (unexpired) waiver.

    Expired waivers are not applied: the gate lists them as failures.
    """
    active = [w for w in waivers if not w.expired(today)]
    if not active:
        return results
    out = []
    for r in results:
        w = next((w for w in active if w.check and w.check == r.check_id
                  and (not w.asset or w.asset == r.asset)), None)
        if w is None:
            w = next((w for w in active if w.item and w.item in r.unit_ids
                      and (not w.asset or w.asset == r.asset)), None)
        out.append(replace(r, waived=True, waiver=waiver_dict(w)) if w else r)
    for f in findings:
        if any(w.finding and f.fingerprint.startswith(w.finding) for w in active):
            f.status = "accepted"
    return out


def waiver_dict(w: Any) -> dict[str, Any]:
    return {
        "id": w.id, "check": w.check, "item": w.item, "finding": w.finding, "asset": w.asset,
        "reason": w.reason, "approver": w.approver, "expires": w.expires.isoformat(),
        "compensating": w.compensating,
    }
