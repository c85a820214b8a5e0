"""What an assessment reads besides the hosts: the manifest, scan files, answers, waivers.

Orchestration helpers for run_assessment: each turns a file named by the user (or by the
manifest) into model objects, through the data loaders and capabilities that own the format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from cityguard.ingest import CoverageGap, file_sha256, read_file
from cityguard.ingest.mapping import iter_mapped, map_findings
from cityguard.model import CheckResult, Finding
from cityguard.policy.messages import text
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
    tool_version: str | None = None  # the scanner's version, where the file states it
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
        return [text(g.message_key, **g.to_dict()) for g in self.gaps]


def import_scans(
    paths: Sequence[str | Path], *, level: int, store: Any = None, system: str | None = None
) -> ScanOutcome:
    """Read, map to MLPS units and (with a store) track every scan file of the run.

    With a store, each file is imported in its own transaction (dedup, fixed/reopened);
    join_store then gives the findings the store's triage, so a finding accepted or marked
    false positive there is not counted as open here.
    """
    out = ScanOutcome()
    for path in paths:
        imported = read_file(path)
        findings = map_findings(imported.findings, level)
        row = ScanImport(str(path), imported.format, len(findings), tool=imported.tool,
                         tool_version=imported.tool_version or None,
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
    return out


@dataclass
class StoredJoin:
    """What the store added to a run: the system's findings from earlier scans, and the
    stale ones `--findings-since` left out."""

    findings: list[Finding] = field(default_factory=list)
    scans: list[dict[str, Any]] = field(default_factory=list)  # one row per earlier import
    stale: int = 0
    since: date | None = None

    def sentences(self, system: str) -> tuple[list[str], list[str]]:
        """(a note for the summary's warnings, lines for what was not checked)."""
        notes, gaps = [], []
        if self.findings:
            by = Counter(f.status for f in self.findings)
            days = sorted(str(sc["imported_at"])[:10] for sc in self.scans)
            notes.append(text("assess.stored.joined", n=len(self.findings), system=system,
                              scans=len(self.scans), first=days[0], last=days[-1],
                              open=by["open"] + by["reopened"], accepted=by["accepted"],
                              false_positive=by["false_positive"]))
        if self.stale:
            gaps.append(text("assess.stored.stale", n=self.stale, since=str(self.since)))
        return notes, gaps


def join_store(store: Any, system: str, run_findings: list[Finding], *, today: date,
               level: int, since: date | None = None, others: bool = True) -> StoredJoin:
    """The store's view of the system, in one read: this run's findings take their triage
    (accepted, false positive, with who, why and until when), and the system's other findings
    that are not fixed join the run, each with the scan it was last seen in (unless that scan
    is older than `since`; with `others` False only this run's findings are looked up).
    Acceptances past their expiry are reopened first, as of `today`.
    """
    ours = {f.fingerprint: f for f in run_findings}
    imports = {int(row["id"]): row for row in store.imports(system)}
    out = StoredJoin(since=since)
    seen_imports: dict[int, dict[str, Any]] = {}
    now = datetime.combine(today, time(12)).astimezone()
    for f in store.list_findings(system=system, now=now):
        mine = ours.get(f.fingerprint)
        if mine is not None:
            mine.status, mine.id = f.status, f.id
            if f.status in TRIAGED:
                mine.extra["stored"] = _stored(f, None)
            continue
        if f.status == "fixed" or not others:
            continue
        row = imports.get(int(f.extra.get("last_import_id") or 0))
        seen_on = str(f.last_seen or (row["imported_at"] if row else ""))[:10]
        if since is not None and seen_on and seen_on < since.isoformat():
            out.stale += 1
            continue
        f.extra["stored"] = _stored(f, row)
        out.findings.append(f)
        if row is not None:
            sc = seen_imports.setdefault(int(row["id"]), {
                "file": str(row["file"]), "format": str(row["format"]),
                "tool": str(row["tool"]), "findings": 0, "origin": "store",
                "imported_at": str(row["imported_at"])})
            sc["findings"] += 1
    out.scans = list(seen_imports.values())
    out.findings = list(iter_mapped(out.findings, level))  # the store keeps no unit ids
    return out


TRIAGED = ("accepted", "false_positive")


def _stored(f: Finding, row: Any) -> dict[str, Any]:
    """The store's facts about a finding: the earlier scan it came from, and its triage."""
    d: dict[str, Any] = {}
    if row is not None:
        d.update(import_id=int(row["id"]), import_file=str(row["file"]),
                 imported_at=str(row["imported_at"]))
    if f.status in TRIAGED:
        d.update(status_by=f.extra.get("status_by"), status_reason=f.extra.get("status_reason"),
                 status_until=f.extra.get("status_until"), status_at=f.extra.get("status_at"))
    return d


def name_source_assets(findings: list[Finding], name: str) -> None:
    """Source-code scanners name no asset ('.': the scanned tree); in an assessment the tree
    is the system's application: show `name`, keeping the identity (fingerprint) on '.'."""
    for f in findings:
        if f.asset_key == ".":
            _ = f.fingerprint  # computed and kept before the key changes
            f.asset_key = name


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
