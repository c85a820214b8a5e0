"""Long lists of the report, capped so the page stays usable, and the trend.

Caps (documented in reports/README.md): at most FINDINGS_PER_ASSET rows per asset (fewer,
down to 10, when many assets share the FINDINGS_INLINE rows), ASSETS_INLINE asset sections,
RISKS_INLINE register rows and REMEDIATION_INLINE remediation rows per priority. Whatever
is cut is counted on the page and is complete in the XLSX and CSV outputs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cityguard.model import Assessment, Finding, HighRisk, Risk
from cityguard.render._problem import Problems
from cityguard.render.i18n import RISK_LEVEL, enum_label, pick

FINDINGS_PER_ASSET = 100
FINDINGS_INLINE = 3000
ASSETS_INLINE = 200
RISKS_INLINE = 500
REMEDIATION_INLINE = 200
_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@dataclass
class Capped:
    rows: list[Any]
    rest: int
    total: int


def capped(rows: list[Any], limit: int) -> Capped:
    return Capped(rows[:limit], max(0, len(rows) - limit), len(rows))


def top_risks(risks: list[Risk], n: int) -> list[Risk]:
    """The register's first n by priority, then level and value (the register's own order)."""
    return sorted(risks, key=lambda r: (r.priority, -r.level, -r.risk_value))[:n]


# --- findings ------------------------------------------------------------------------------


@dataclass
class AssetFindings:
    asset: str
    total: int
    counts: dict[str, int]
    rows: list[Finding]
    rest: int


@dataclass
class FindingsView:
    total: int
    groups: list[AssetFindings] = field(default_factory=list)
    assets_rest: int = 0  # asset sections not shown
    rows_rest: int = 0  # findings of those assets


def _finding_order(f: Finding) -> tuple[int, float, str, str]:
    return (-_RANK.get(f.severity.value, 0), -(f.cvss_score or 0.0), f.title, f.location)


def findings_by_asset(findings: list[Finding]) -> FindingsView:
    by_asset: dict[str, list[Finding]] = {}
    for f in findings:
        by_asset.setdefault(f.asset_key, []).append(f)
    worst = {k: max(_RANK.get(f.severity.value, 0) for f in v) for k, v in by_asset.items()}
    order = sorted(by_asset, key=lambda k: (-worst[k], -len(by_asset[k]), k))
    view = FindingsView(total=len(findings))
    budget = FINDINGS_INLINE
    # many assets: fewer rows each (at least 10), so every shown asset gets its worst ones
    per_asset = max(10, min(FINDINGS_PER_ASSET, FINDINGS_INLINE // max(1, min(len(order),
                                                                          ASSETS_INLINE))))
    for i, key in enumerate(order):
        group = by_asset[key]
        if i >= ASSETS_INLINE or budget <= 0:
            view.assets_rest += 1
            view.rows_rest += len(group)
            continue
        take = min(per_asset, budget)
        rows = sorted(group, key=_finding_order)[:take]
        budget -= len(rows)
        counts = Counter(f.severity.value for f in group)
        view.groups.append(AssetFindings(key, len(group), dict(counts), rows,
                                         len(group) - len(rows)))  # fmt: skip
    return view


# --- remediation ---------------------------------------------------------------------------


@dataclass
class RemediationRow:
    remediation: str
    level: int
    level_label: str
    assets: list[str]
    vulnerabilities: list[str]
    vulnerability_count: int
    unit_ids: list[str]


@dataclass
class PriorityGroup:
    priority: int
    rows: list[RemediationRow]
    rest: int


@dataclass
class RemediationView:
    high_risks: list[HighRisk]
    groups: list[PriorityGroup]


def remediation(a: Assessment, lang: str, limit: int | None = REMEDIATION_INLINE, *,
                problems: Problems | None = None) -> RemediationView:
    """Open high-risk issues first, then the register's remediations by priority.

    Risks that share one remediation text are one row (the fix is the same); the register
    order (level, value) is kept inside each priority. Vulnerabilities are named by their
    problem in the report's language (render/_problem.py).
    """
    problems = problems or Problems(a, lang)
    rows: dict[tuple[int, str], RemediationRow] = {}
    seen: dict[tuple[int, str], tuple[set[str], set[str], set[str]]] = {}
    for r in sorted(a.risks, key=lambda r: r.priority):
        text = pick(r.remediation_zh, r.remediation_en, lang) or r.vulnerability_title
        key = (r.priority, text)
        row = rows.get(key)
        if row is None:
            label = enum_label(RISK_LEVEL, r.level, lang)
            row = rows[key] = RemediationRow(text, r.level, label, [], [], 0, [])
            seen[key] = (set(), set(), set())
        assets, vulns, units = seen[key]
        if r.asset not in assets:
            assets.add(r.asset)
            row.assets.append(r.asset)
        if r.vulnerability not in vulns:
            vulns.add(r.vulnerability)
            row.vulnerability_count += 1
            if len(row.vulnerabilities) < 5:
                row.vulnerabilities.append(problems.risk(r))
        for u in r.unit_ids:
            if u not in units:
                units.add(u)
                row.unit_ids.append(u)
    groups: dict[int, list[RemediationRow]] = {}
    for (prio, _), row in rows.items():
        groups.setdefault(prio, []).append(row)
    return RemediationView(
        high_risks=[h for h in a.high_risks if h.status == "open"],
        groups=[
            PriorityGroup(p, rs[:limit], max(0, len(rs) - limit) if limit is not None else 0)
            for p, rs in sorted(groups.items())
        ],
    )


# --- trend ---------------------------------------------------------------------


@dataclass
class TrendPoint:
    label: str
    rate: float
    conclusion: str
    current: bool


TREND_POINTS = 12  # the latest runs drawn (the table lists the same ones)


def trend(a: Assessment) -> list[TrendPoint]:
    """The last earlier runs (Assessment.history) and this run, oldest first, when scored.

    Labels are dates; when two runs share a day, date and time.
    """
    runs = []
    for h in sorted(a.history, key=lambda h: str(h.get("created", ""))):
        rate = h.get("compliance_rate")
        if h.get("run_id") != a.run_id and isinstance(rate, (int, float)):
            runs.append((str(h.get("created", "")), float(rate), str(h.get("conclusion") or "")))
    if a.summary is None or not runs:
        return []
    runs = runs[-(TREND_POINTS - 1):]
    runs.append((a.created, a.summary.compliance_rate, a.summary.conclusion))
    days = [c[:10] for c, _, _ in runs]
    width = 10 if len(set(days)) == len(days) else 16
    return [TrendPoint(c[:width].replace("T", " "), rate, concl, i == len(runs) - 1)
            for i, (c, rate, concl) in enumerate(runs)]
