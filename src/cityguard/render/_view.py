"""What the HTML and Markdown reports show, arranged from an Assessment.

Arranging only: grouping items under their class and control point, sorting, capping long
lists so a page with 100,000 findings stays usable, and tallying what is already there. Every
number shown (rates, scores, formulas, levels, priorities) comes from the Assessment itself.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cityguard.model import Assessment, GroupScore, HighRisk, ItemResult, Summary
from cityguard.render import _lists, _paths, _problem, _waivers
from cityguard.render._highrisk import high_risk_note
from cityguard.render.i18n import SEVERITY_ORDER, STATUS_ORDER, VERDICT_ORDER, pick

#: check results listed by name in the method section (manual / error / not applicable)
OPEN_CHECKS_INLINE = 300
FAILED_PER_ASSET = 300
_CP_CODE = re.compile(r"-([A-Z]{3}\d)-")


@dataclass
class ControlPointView:
    key: str
    name: str
    score: float | None
    formula: str
    items: list[ItemResult] = field(default_factory=list)


@dataclass
class ClassView:
    code: str
    name: str
    score: float | None
    formula: str
    counts: dict[str, int]
    control_points: list[ControlPointView] = field(default_factory=list)


@dataclass
class Bar:
    key: str
    label: str
    value: float | None


@dataclass
class ScanRow:
    file: str  # relative to the run's folder, never the rendering machine's absolute path
    format: str
    tool: str
    version: str
    count: Any


@dataclass
class ReportView:
    a: Assessment
    lang: str
    summary: Summary | None
    classes: list[ClassView]
    check_counts: list[tuple[str, int]]
    open_checks: list[Any]
    open_checks_rest: int
    sources: list[tuple[str, int]]
    top_risks: list[Any]
    open_high_risks: int
    class_bars: list[Bar]
    severity_bars: list[Bar]
    risk_bars: list[Bar]
    trend: list[_lists.TrendPoint]
    risks: _lists.Capped
    findings: _lists.FindingsView
    remediation: _lists.RemediationView
    waivers: list[_waivers.WaiverRow]
    waived_results: list[Any]
    verdict_counts: list[tuple[str, int]] = field(default_factory=list)
    failed_checks: list[tuple[str, _lists.Capped]] = field(default_factory=list)
    high_risks: list[HighRisk] = field(default_factory=list)  # every one, named on page one
    hr_notes: dict[int, str] = field(default_factory=dict)  # id(h) → mitigation in `lang`
    waiver_index: _waivers.WaiverIndex | None = None
    waivers_due: list[_waivers.WaiverRow] = field(default_factory=list)  # expired / expiring
    problems: dict[str, str] = field(default_factory=dict)  # risk id → the problem in `lang`
    risk_waivers: dict[str, _waivers.WaiverRow] = field(default_factory=dict)  # risk id → waiver
    targets: dict[str, str] = field(default_factory=dict)  # asset id → target as shown
    scans: list[ScanRow] = field(default_factory=list)
    pending_total: int = 0
    expiring_days: int = _waivers.EXPIRING_DAYS


def build(a: Assessment, lang: str) -> ReportView:
    s = a.summary
    classes = _classes(a, lang)
    check_counts = (s.check_counts if s and s.check_counts
                    else dict(Counter(r.status.value for r in a.results)))
    # what machines could not decide is listed by name: it must never read as compliant
    pending = [r for r in a.results if r.status.value in ("manual", "error", "not_applicable")]
    pending.sort(key=lambda r: (STATUS_ORDER.index(r.status.value), r.asset, r.check_id))
    sources = Counter(o.source for it in a.items for o in it.objects)
    high_open = (s.high_risk_counts.get("open", 0) if s and s.high_risk_counts
                 else sum(1 for h in a.high_risks if h.status == "open"))
    waiver_rows = _waivers.waivers(a)
    index = _waivers.WaiverIndex(a, waiver_rows)
    problems = _problem.Problems(a, lang)
    base = _paths.run_base(a)
    risk_waivers = {r.id: w for r in a.risks if (w := index.for_risk(r)) is not None}
    return ReportView(
        a=a,
        lang=lang,
        summary=s,
        classes=classes,
        check_counts=[(k, check_counts.get(k, 0)) for k in STATUS_ORDER],
        open_checks=pending[:OPEN_CHECKS_INLINE],
        open_checks_rest=max(0, len(pending) - OPEN_CHECKS_INLINE),
        sources=sorted(sources.items(), key=lambda kv: -kv[1]),
        top_risks=_lists.top_risks(a.risks, 5),
        open_high_risks=high_open,
        class_bars=[Bar(c.code, c.name, c.score) for c in classes if c.code != "?"],
        severity_bars=[
            Bar(k, k, float((s.finding_counts if s else {}).get(k, 0))) for k in SEVERITY_ORDER
        ],
        risk_bars=[Bar(str(n), str(n), float((s.risk_counts if s else {}).get(str(n), 0)))
                   for n in range(1, 6)],
        trend=_lists.trend(a),
        risks=_lists.capped(a.risks, _lists.RISKS_INLINE),
        findings=_lists.findings_by_asset(a.findings),
        remediation=_lists.remediation(a, lang, problems=problems),
        waivers=waiver_rows,
        waived_results=[r for r in a.results if r.waived],
        verdict_counts=[(v, (s.counts if s else {}).get(v, 0)) for v in VERDICT_ORDER],
        failed_checks=_failed_checks(a),
        high_risks=sorted(a.high_risks, key=lambda h: (_HR_ORDER.get(h.status, 9), h.case_id,
                                                       h.asset)),
        hr_notes={id(h): high_risk_note(h, a, lang) for h in a.high_risks},
        waiver_index=index,
        waivers_due=[w for w in waiver_rows if w.state != "active"],
        problems={r.id: problems.risk(r) for r in a.risks},
        risk_waivers=risk_waivers,
        targets={x.id: _paths.shown_target(x.target, base) for x in a.assets},
        scans=[_scan_row(sc, base, a) for sc in a.scans],
        pending_total=len(pending),
    )


_HR_ORDER = {"open": 0, "mitigated": 1, "waived": 2}


def _scan_row(sc: dict[str, Any], base: str, a: Assessment) -> ScanRow:
    path = str(sc.get("file") or sc.get("path") or "")
    tool = str(sc.get("tool") or "")
    if not tool:  # older runs did not record it: the findings read from that file know it
        tool = next((f.tool for f in a.findings if f.source_file == path), "")
    return ScanRow(_paths.shown_path(path, base), str(sc.get("format") or ""), tool,
                   str(sc.get("tool_version") or sc.get("version") or ""),
                   sc.get("findings", sc.get("count", "")))


def _failed_checks(a: Assessment) -> list[tuple[str, _lists.Capped]]:
    """Failed check results per asset, most severe first (the evidence behind 不符合)."""
    by_asset: dict[str, list[Any]] = {}
    for r in a.results:
        if r.status.value == "fail":
            by_asset.setdefault(r.asset, []).append(r)
    rank = {k: i for i, k in enumerate(SEVERITY_ORDER)}
    return [(asset, _lists.capped(sorted(rs, key=lambda r: (rank.get(r.severity.value, 9),
                                                            r.check_id)), FAILED_PER_ASSET))
            for asset, rs in sorted(by_asset.items())]


def _cp_key(item: ItemResult) -> str:
    m = _CP_CODE.search(item.unit_id)
    code = m.group(1) if m else item.class_code
    return f"{code}/{item.control_point_zh}"


def _classes(a: Assessment, lang: str) -> list[ClassView]:
    """Classes in the Assessment's order, each with its control points and items."""
    cps: dict[str, GroupScore] = {g.key: g for g in a.control_points}
    views: dict[str, ClassView] = {}
    for g in a.classes:
        views[g.key] = ClassView(g.key, pick(g.name_zh, g.name_en, lang), g.score, g.formula,
                                 dict(g.counts))  # fmt: skip
    cp_views: dict[tuple[str, str], ControlPointView] = {}
    for item in a.items:
        cls = views.get(item.class_code)
        if cls is None:  # an item whose class has no score (should not happen; still shown)
            cls = views[item.class_code] = ClassView(item.class_code, item.class_code, None,
                                                     "", {})  # fmt: skip
        key = _cp_key(item)
        cpv = cp_views.get((cls.code, key))
        if cpv is None:
            g = cps.get(key)
            name = pick(item.control_point_zh, item.control_point_en, lang)
            cpv = ControlPointView(key, name, g.score if g else None, g.formula if g else "")
            cp_views[(cls.code, key)] = cpv
            cls.control_points.append(cpv)
        cpv.items.append(item)
    return list(views.values())
