"""evaluate(): item verdicts → scores → high risks → risk register → conclusion."""

from __future__ import annotations

from collections import Counter
from datetime import date

from cityguard.model import Summary
from cityguard.policy.checkmap import load_mappings
from cityguard.policy.messages import text
from cityguard.scoring import conclusion as concl
from cityguard.scoring import highrisk, risk, scores, verdicts
from cityguard.scoring.common import AssetIndex
from cityguard.scoring.config import load_config, load_rules, load_threats, resolve_config
from cityguard.scoring.inputs import ScoringInput, ScoringOutcome


def evaluate(inp: ScoringInput) -> ScoringOutcome:
    # None: the built-in file with site files (CITYGUARD_POLICIES, policy_dirs) merged over it
    # (load_config checks the merged result itself; a caller's dict is checked here)
    cfg = resolve_config(inp.config) if inp.config is not None else load_config(inp.policy_dirs)
    rules = inp.high_risk_rules if inp.high_risk_rules is not None else load_rules(inp.policy_dirs)
    threats = inp.threats if inp.threats is not None else load_threats(inp.policy_dirs)
    today = inp.today or date.today()
    assets = AssetIndex(inp.assets)
    warnings: list[str] = []

    selected = {i.unit_id for i in inp.items}
    unknown = sorted(u for u in (inp.answers or {}) if u not in selected)
    if unknown:
        warnings.append(text("scoring.warning.answers_not_selected", count=len(unknown),
                             ids=", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")))

    src = verdicts.index_sources(inp.results, inp.findings, inp.evidence_records, inp.answers,
                                 inp.mitigations, assets, cfg, _roles(inp))
    items = [
        scores.item_result(it, verdicts.object_verdicts(it, src, cfg, today), cfg)
        for it in inp.items
    ]
    control_points, classes = scores.group_scores(items, inp.items, cfg)
    rate = scores.compliance_rate(items, cfg)

    cases = [highrisk.as_case(c) for c in inp.high_risk_cases]
    open_statuses = cfg["verdicts"]["findings"]["open_statuses"]
    views = highrisk.build_views(assets, inp.results, inp.findings, items, open_statuses)
    high_risks, hr_warnings = highrisk.evaluate_cases(
        cases, rules, inp.items, views, inp.answers, inp.mitigations, inp.level,
        cfg["verdicts"]["system_object"],
    )
    warnings += hr_warnings
    risks = risk.register(inp.results, inp.findings, assets, inp.items, threats, cfg)
    major, major_zh, major_en = highrisk.major_hidden_risk(high_risks, risks, cfg)

    conclusion = concl.conclusion_2025(rate.rate, major, cfg)
    why_zh, why_en = concl.conclusion_reason(rate.rate, major, conclusion, cfg)
    template = str(cfg["template"])
    score, formula_zh, formula_en, grade = rate.rate, rate.formula_zh, rate.formula_en, None
    if template == "2021":
        ded = scores.deduction_score(items, cfg)
        grade = concl.grade_2021(ded.score, high_risks, cfg)
        score, formula_zh, formula_en = ded.score, ded.formula_zh, ded.formula_en

    summary = Summary(
        compliance_rate=rate.rate,
        conclusion=conclusion,
        conclusion_zh=concl.CONCLUSION_ZH[conclusion],
        score=score,
        score_formula=formula_zh,
        major_hidden_risk=major,
        template=template,
        counts=rate.counts,
        check_counts=dict(Counter(r.status.value for r in inp.results)),
        finding_counts=_finding_counts(inp, open_statuses),
        not_checked=_not_checked(items),
        grade_2021=grade,
        score_formula_en=formula_en,
        rate_formula=rate.formula_zh,
        rate_formula_en=rate.formula_en,
        conclusion_en=concl.CONCLUSION_EN[conclusion],
        conclusion_reason=why_zh,
        conclusion_reason_en=why_en,
        major_hidden_risk_reason=major_zh,
        major_hidden_risk_reason_en=major_en,
        high_risk_counts=dict(Counter(h.status for h in high_risks)),
        risk_counts={str(k): v for k, v in sorted(Counter(r.level for r in risks).items())},
        applicable_items=rate.applicable,
        warnings=warnings,
    )
    return ScoringOutcome(items, control_points, classes, summary, high_risks, risks)


def _roles(inp: ScoringInput) -> dict[tuple[str, str], str]:
    """(unit id, check id) → role, from the given mappings or each selected level's checkmap."""
    mappings = inp.mappings
    if mappings is None:
        mappings = {}
        for level in sorted({i.level for i in inp.items}):
            mappings.update(load_mappings(level, inp.policy_dirs))
    return {(unit, m.check): m.role for unit, ms in mappings.items() for m in ms}


def _finding_counts(inp: ScoringInput, open_statuses: list[str]) -> dict[str, int]:
    c = Counter(
        getattr(f.severity, "value", str(f.severity))
        for f in inp.findings if f.status in set(open_statuses)
    )
    return {k: c[k] for k in ("critical", "high", "medium", "low", "info") if c[k]}


def _not_checked(items: list) -> list[str]:
    """Plain sentences on the gaps: which items nothing assessed, so nobody mistakes silence."""
    gaps = [r for r in items if r.verdict == "not_assessed"]
    partial_gaps = [r for r in items if r.gaps and r.verdict != "not_assessed"]
    out = []
    if gaps:
        ids = ", ".join(r.unit_id for r in gaps[:20]) + (" …" if len(gaps) > 20 else "")
        out.append(text("scoring.not_checked.not_assessed", count=len(gaps), ids=ids))
    if partial_gaps:
        ids = ", ".join(f"{r.unit_id} ({', '.join(r.gaps)})" for r in partial_gaps[:10])
        out.append(text("scoring.not_checked.objects", count=len(partial_gaps), ids=ids))
    confirm = [r for r in items if r.needs_confirmation]
    if confirm:
        ids = ", ".join(r.unit_id for r in confirm[:20]) + (" …" if len(confirm) > 20 else "")
        out.append(text("scoring.not_checked.confirm", count=len(confirm), ids=ids))
    return out
