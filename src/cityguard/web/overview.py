"""The city overview: every system's posture summed up by level and conclusion, department and
district, what needs action, and a 12-month trend. Shared by the dashboard's front page, its
JSON API and `cityguard report city` (the monthly report to the city's leading group).

Computed from the store's posture (store/posture.py) and small summary tables; nothing here
reads a run document or walks the findings one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from cityguard.model.register import Posture
from cityguard.store import Store, citytrend
from cityguard.store.posture import add_months

CONCLUSIONS = ("compliant", "basically_compliant", "non_compliant", "none")
LEVELS = (1, 2, 3, 4, 0)  # 0: no level recorded
SEVERE = ("critical", "high")
TREND_MONTHS = 12


@dataclass
class GroupRow:
    """One department's or district's line."""

    name: str
    systems: int = 0
    overdue: int = 0
    high_risks: int = 0
    critical: int = 0
    high: int = 0
    rect_overdue: int = 0
    waivers_expiring: int = 0
    non_compliant: int = 0
    rate_sum: float = 0.0
    rated: int = 0

    @property
    def mean_rate(self) -> float | None:
        return round(self.rate_sum / self.rated, 4) if self.rated else None

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k not in ("rate_sum", "rated")}
        d["mean_compliance_rate"] = self.mean_rate
        return d


@dataclass
class TrendPoint:
    month: str  # YYYY-MM
    compliance_rate: float | None  # mean of each system's newest run by the month's end
    high_risks: int  # open high-risk issues in those runs
    opened: int  # findings new or reopened by the month's imports
    fixed: int  # findings fixed by the month's imports


@dataclass
class Action:
    posture: Posture
    reasons: list[str]  # keys of web.reason.*


@dataclass
class Overview:
    day: str
    postures: list[Posture]
    by_level: dict[int, dict[str, int]] = field(default_factory=dict)
    findings_open: dict[str, int] = field(default_factory=dict)
    high_risks_open: int = 0
    overdue: int = 0
    never_assessed: int = 0
    rect_overdue: int = 0
    waivers_expiring: int = 0
    departments: list[GroupRow] = field(default_factory=list)
    districts: list[GroupRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def systems(self) -> int:
        return len(self.postures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day, "systems": self.systems,
            "by_level": {str(k): v for k, v in self.by_level.items()},
            "findings_open": self.findings_open, "high_risks_open": self.high_risks_open,
            "overdue": self.overdue, "never_assessed": self.never_assessed,
            "rectifications_overdue": self.rect_overdue,
            "waivers_expiring": self.waivers_expiring,
            "departments": [g.to_dict() for g in self.departments],
            "districts": [g.to_dict() for g in self.districts],
            "trend": [asdict(p) for p in self.trend],
            "needs_action": [{"system": a.posture.system.name, "reasons": a.reasons}
                             for a in self.actions],
        }  # fmt: skip


def reasons(p: Posture) -> list[str]:
    """Why a system needs action (empty: it does not)."""
    out = []
    if p.overdue:
        out.append("never_assessed" if p.never_assessed else "overdue")
    if (p.high_risks_open or 0) > 0:
        out.append("high_risks")
    if p.conclusion == "non_compliant":
        out.append("non_compliant")
    if p.findings_open.get("critical", 0):
        out.append("critical_findings")
    if p.rectifications_overdue:
        out.append("rect_overdue")
    if any(v == "fail" for v in p.gates.values()):
        out.append("gate_failed")
    if p.waivers_expiring:
        out.append("waivers_expiring")
    return out


def _group(rows: dict[str, GroupRow], key: str, p: Posture) -> None:
    g = rows.setdefault(key, GroupRow(key))
    g.systems += 1
    g.overdue += int(p.overdue)
    g.high_risks += p.high_risks_open or 0
    g.critical += p.findings_open.get("critical", 0)
    g.high += p.findings_open.get("high", 0)
    g.rect_overdue += p.rectifications_overdue
    g.waivers_expiring += p.waivers_expiring
    g.non_compliant += int(p.conclusion == "non_compliant")
    if p.compliance_rate is not None:
        g.rate_sum += p.compliance_rate
        g.rated += 1


def _ranked(rows: dict[str, GroupRow]) -> list[GroupRow]:
    return sorted(rows.values(), key=lambda g: (-(g.high_risks + g.critical + g.overdue),
                                                g.name))


def months_back(today: date, n: int = TREND_MONTHS) -> list[str]:
    first = date(today.year, today.month, 1)
    return [add_months(first, -k).strftime("%Y-%m") for k in range(n - 1, -1, -1)]


def trend(points: Iterable[tuple[str, str, float | None, int | None]],
          imports: dict[str, tuple[int, int]], months: list[str]) -> list[TrendPoint]:
    """Each month: every system's newest run by the month's end, averaged and summed."""
    ordered = sorted(points, key=lambda r: r[1])
    latest: dict[str, tuple[float | None, int | None]] = {}
    out, i = [], 0
    for month in months:
        while i < len(ordered) and ordered[i][1][:7] <= month:
            system, _, rate, high = ordered[i]
            latest[system] = (rate, high)
            i += 1
        rates = [r for r, _ in latest.values() if r is not None]
        opened, fixed = imports.get(month, (0, 0))
        out.append(TrendPoint(month, round(sum(rates) / len(rates), 4) if rates else None,
                              sum(h or 0 for _, h in latest.values()), opened, fixed))
    return out


def compute(store: Store, today: date | None = None) -> Overview:
    today = today or date.today()
    postures = store.posture(today)
    ov = Overview(day=today.isoformat(), postures=postures)
    ov.by_level = {lv: dict.fromkeys(CONCLUSIONS, 0) for lv in LEVELS}
    departments: dict[str, GroupRow] = {}
    districts: dict[str, GroupRow] = {}
    totals: dict[str, int] = defaultdict(int)
    for p in postures:
        ov.by_level[p.system.level or 0][p.conclusion or "none"] += 1
        for sev, n in p.findings_open.items():
            totals[sev] += n
        ov.high_risks_open += p.high_risks_open or 0
        ov.overdue += int(p.overdue)
        ov.never_assessed += int(p.never_assessed)
        ov.rect_overdue += p.rectifications_overdue
        ov.waivers_expiring += p.waivers_expiring
        _group(departments, p.system.department or "", p)
        _group(districts, p.system.district or "", p)
        why = reasons(p)
        if why:
            ov.actions.append(Action(p, why))
    ov.by_level = {lv: c for lv, c in ov.by_level.items() if lv or any(c.values())}
    ov.findings_open = dict(totals)
    ov.departments, ov.districts = _ranked(departments), _ranked(districts)
    ov.actions.sort(key=lambda a: (-len([r for r in a.reasons if r != "waivers_expiring"]),
                                   -(a.posture.high_risks_open or 0), a.posture.system.name))
    months = months_back(today)
    ov.trend = trend(citytrend.run_points(store.db),
                     citytrend.import_months(store.db, months[0]), months)
    return ov
