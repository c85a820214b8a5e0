"""The SOC's register of systems, each system's posture, and rectification tracking (整改跟踪).

Plain records: the store keeps them (store/register.py, store/posture.py, store/rectify.py),
the command line and the dashboard show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

#: the three-synchronous life cycle (same values as the manifest's `stage`)
STAGES = ("plan", "build", "deploy", "operate")
#: a rectification's states, in the order of the flow; `verified` is set by a later scan or
#: assessment (or by a person for what no machine can test)
RECTIFY_STATES = ("open", "in_progress", "fixed", "verified")
#: fields of a system record that its cityguard.yaml holds when it has one (the manifest is the
#: source of truth for them: edit the manifest, then `cityguard systems sync`)
MANIFEST_FIELDS = ("name", "department", "owner", "level", "grade", "extensions", "stage",
                   "interval_months")  # fmt: skip


@dataclass
class SystemRecord:
    """One graded system (定级系统) of the city as the register knows it."""

    name: str
    department: str = ""  # 单位 / 责任部门
    district: str = ""  # 区县
    owner: str = ""  # 责任人
    contact: str = ""  # 安全联系人
    level: int | None = None  # 安全保护等级 1-4
    grade: str = ""  # S/A grade, e.g. S3A2
    extensions: tuple[str, ...] = ()
    filing_number: str = ""  # 备案编号
    filing_date: str | None = None  # YYYY-MM-DD
    stage: str = ""
    tags: tuple[str, ...] = ()
    manifest: str = ""  # where its cityguard.yaml lives
    manifest_fields: tuple[str, ...] = ()  # fields the manifest holds (read-only here)
    interval_months: int | None = None  # assessment interval; None: the level's default
    report_date: str | None = None  # latest level-assessment report (等级测评报告) in evidence
    report_conclusion: str | None = None
    id: int | None = None
    created: str = ""
    updated: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["extensions"], d["tags"] = list(self.extensions), list(self.tags)
        d["manifest_fields"] = list(self.manifest_fields)
        return d


@dataclass
class Posture:
    """A system's security posture, computed from the store on a given day."""

    system: SystemRecord
    last_assessed: str | None = None  # YYYY-MM-DD of the newest run or assessment report
    last_source: str = ""  # run | report
    last_run_id: str | None = None
    conclusion: str | None = None  # compliant | basically_compliant | non_compliant
    compliance_rate: float | None = None
    score: float | None = None
    interval_months: int | None = None  # in force (the record's or the level's default)
    next_due: str | None = None
    overdue: bool = False
    never_assessed: bool = False
    high_risks_open: int | None = None  # None: no run to count them from
    findings_open: dict[str, int] = field(default_factory=dict)  # severity → open findings
    rectifications_overdue: int = 0
    rectifications_open: int = 0
    waivers_expiring: int = 0  # waivers and acceptances ending within the warning window
    gates: dict[str, str] = field(default_factory=dict)  # stage → pass | fail (latest)

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "system"}
        return {**self.system.to_dict(), "posture": d}


@dataclass
class Rectification:
    """Work to remove a finding or a non-compliant item: owner, due date and state."""

    id: int
    system: str
    owner: str
    due: str  # YYYY-MM-DD
    state: str  # RECTIFY_STATES
    state_at: str
    state_by: str
    created: str
    finding_id: int | None = None
    unit_id: str | None = None
    asset: str = ""
    title: str = ""
    note: str = ""
    verified_by: str | None = None
    severity: str | None = None  # of the finding, when it is one
    overdue: bool = False

    @property
    def subject(self) -> str:
        if self.finding_id is not None:
            return f"finding {self.finding_id}"
        return f"{self.unit_id}" + (f" @ {self.asset}" if self.asset else "")

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["subject"] = self.subject
        return d
