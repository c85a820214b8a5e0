"""Filtering and sorting of posture lists (`systems list`, the dashboard's overview)."""

from __future__ import annotations

from cityguard.core.errors import UsageError
from cityguard.model.register import Posture
from cityguard.system.manifest import CONCLUSIONS

SORTS = ("name", "next_due", "level", "department", "rate", "findings", "high_risks")


def filter_postures(items: list[Posture], *, overdue: bool = False,
                    department: str | None = None, level: int | None = None,
                    conclusion: str | None = None, high_risk: bool = False,
                    sort: str = "name") -> list[Posture]:
    if sort not in SORTS:
        raise UsageError(f"--sort must be one of {', '.join(SORTS)} (got {sort!r})")
    wanted = None
    if conclusion is not None:
        wanted = "none" if conclusion.strip().lower() in ("none", "无") \
            else CONCLUSIONS.get(conclusion.strip())
        if wanted is None:
            raise UsageError(f"--conclusion must be 符合, 基本符合, 不符合 (or compliant, "
                             f"basically_compliant, non_compliant, none); got {conclusion!r}")
    if level is not None and level not in (1, 2, 3, 4):
        raise UsageError(f"--level must be 1-4 (got {level})")
    out = [
        p for p in items
        if (not overdue or p.overdue)
        and (department is None or p.system.department == department)
        and (level is None or p.system.level == level)
        and (wanted is None or (p.conclusion or "none") == wanted)
        and (not high_risk or (p.high_risks_open or 0) > 0)
    ]
    keys = {
        "name": lambda p: p.system.name,
        "next_due": lambda p: (p.next_due is None, p.next_due or "", p.system.name),
        "level": lambda p: (-(p.system.level or 0), p.system.name),
        "department": lambda p: (p.system.department, p.system.name),
        "rate": lambda p: (p.compliance_rate is None, p.compliance_rate or 0, p.system.name),
        "findings": lambda p: (-sum(p.findings_open.get(s, 0) for s in ("critical", "high")),
                               p.system.name),
        "high_risks": lambda p: (-(p.high_risks_open or 0), p.system.name),
    }
    return sorted(out, key=keys[sort])
