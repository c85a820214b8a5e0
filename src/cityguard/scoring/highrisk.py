"""High-risk issues (高风险判定实施指引) and the major hidden risk (重大风险隐患).

A case is raised on an asset when its machine rule (policies/mlps2/high_risk_rules.yaml) holds
over that asset's check results, open findings and attributes, or when a person declares it in
an answer (`high_risks: [case ids]`). A declared mitigation lowers a case only when the
guideline allows a mitigation for it and the rule's `mitigable_when` holds on that asset.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cityguard.model import CheckResult, Finding, HighRisk, HighRiskCase, Item, ItemResult, Risk
from cityguard.policy.messages import text
from cityguard.scoring.common import AssetIndex
from cityguard.scoring.conditions import AssetView, evaluate


def as_case(raw: HighRiskCase | dict[str, Any]) -> HighRiskCase:
    if isinstance(raw, HighRiskCase):
        return raw
    return HighRiskCase(
        case_id=str(raw["case_id"]), part=raw.get("part", "general"),
        class_code=raw.get("class", raw.get("class_code", "")),
        control_point_zh=raw.get("control_point", raw.get("control_point_zh", "")),
        clause_ids=tuple(raw.get("clause_ids", ())), unit_ids=tuple(raw.get("unit_ids", ())),
        scope=raw.get("scope", ""), min_level=int(raw.get("min_level", 1)),
        trigger_zh=raw.get("trigger_zh", ""), trigger_en=raw.get("trigger_en", ""),
        mitigable=bool(raw.get("mitigable", False)), note=raw.get("note", ""),
    )


def _case_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in case_id.split(".") if p.isdigit())


def build_views(
    assets: AssetIndex,
    results: Sequence[CheckResult],
    findings: Sequence[Finding],
    items: Sequence[ItemResult],
    open_statuses: Iterable[str],
) -> dict[str, AssetView]:
    views: dict[str, AssetView] = {}

    def view(asset_id: str) -> AssetView:
        if asset_id not in views:
            views[asset_id] = AssetView(
                asset_id, assets.get(asset_id), assets.internet_facing(asset_id)
            )
        return views[asset_id]

    for a in assets.assets:
        view(a)
    for r in results:
        view(r.asset).results.append(r)
    statuses = set(open_statuses)
    for f in findings:
        if f.status in statuses:
            view(assets.resolve(f)).findings.append(f)
    for ir in items:
        for o in ir.objects:
            view(o.asset).verdicts[ir.unit_id] = o.verdict
    return views


def evaluate_cases(
    cases: Sequence[HighRiskCase],
    rules: Sequence[dict[str, Any]],
    selected: Sequence[Item],
    views: dict[str, AssetView],
    answers: dict[str, list[dict[str, Any]]],
    mitigations: Sequence[dict[str, Any]],
    level: int,
    system_object: str,
) -> tuple[list[HighRisk], list[str]]:
    """Every raised case per asset, and warnings (declared cases that do not exist)."""
    parts = {"general"} | {i.part for i in selected}
    selected_ids = {i.unit_id for i in selected}
    by_id = {c.case_id: c for c in cases}
    rules_by_case: dict[str, list[dict[str, Any]]] = {}
    for r in rules:
        rules_by_case.setdefault(str(r["case"]), []).append(r)
    raised: dict[tuple[str, str], HighRisk] = {}

    def add(case: HighRiskCase, asset: str, evidence: list[str], source: str) -> None:
        key = (case.case_id, asset)
        if key in raised:
            raised[key].evidence.extend(e for e in evidence if e not in raised[key].evidence)
            return
        units = [u for u in case.unit_ids if u in selected_ids] or [
            u for u in case.unit_ids if u.startswith(f"L{level}-")
        ]
        raised[key] = HighRisk(
            case_id=case.case_id, unit_ids=units, asset=asset, title_zh=case.trigger_zh,
            title_en=case.trigger_en, evidence=list(evidence), scope=case.scope,
            mitigable=case.mitigable, source=source,
        )

    for case in cases:
        if case.min_level > level or case.part not in parts:
            continue
        case_units = set(case.unit_ids)
        for rule in rules_by_case.get(case.case_id, []):
            for asset_id in sorted(views):
                ok, ev = evaluate(rule["when"], views[asset_id], case_units)
                if ok:
                    add(case, asset_id, ev, "rule")

    warnings = []
    for uid, answer_list in sorted((answers or {}).items()):
        for ans in answer_list:
            for cid in ans.get("high_risks") or ():
                case = by_id.get(str(cid))
                if case is None:
                    warnings.append(text("scoring.warning.unknown_case", unit=uid, case=cid))
                    continue
                who = " ".join(str(x) for x in (ans.get("assessor"), ans.get("date")) if x)
                note = ans.get("note") or ""
                ev = (text("scoring.hr.declared_by", unit=uid, who=who) if who
                      else text("scoring.hr.declared", unit=uid))
                add(case, str(ans.get("asset") or system_object),
                    [text("scoring.hr.with_note", text=ev, note=note) if note else ev], "answer")

    out = sorted(raised.values(), key=lambda h: (_case_key(h.case_id), h.asset))
    for h in out:
        if h.source == "rule" and _answered_away(h, answers or {}):
            continue
        _mitigate(h, by_id[h.case_id], rules_by_case.get(h.case_id, []), views, mitigations)
    return out, warnings


def _answered_away(h: HighRisk, answers: dict[str, list[dict[str, Any]]]) -> bool:
    """A person answered every unit of the case compliant / not applicable for this object."""
    if not h.unit_ids:
        return False
    notes = []
    for uid in h.unit_ids:
        mine = [a for a in answers.get(uid, ()) if str(a.get("asset") or "") in ("", h.asset)]
        # an asset's own answer beats the whole-system one
        mine.sort(key=lambda a: 0 if a.get("asset") else 1)
        if not mine or mine[0]["verdict"] not in ("compliant", "not_applicable"):
            return False
        note = mine[0].get("note") or ""
        notes.append(f"{uid}: {mine[0]['verdict']}" + (f" ({note})" if note else ""))
    h.status = "waived"
    h.mitigation = ("人工答复判定相关测评项符合或不适用 / a person answered the items: "
                    + "; ".join(notes))
    return True


def _mitigate(
    h: HighRisk,
    case: HighRiskCase,
    rules: list[dict[str, Any]],
    views: dict[str, AssetView],
    mitigations: Sequence[dict[str, Any]],
) -> None:
    declared = [
        m for m in mitigations
        if str(h.case_id) in _list(m.get("case", m.get("cases")))
        and (not m.get("asset") or str(m["asset"]) == h.asset)
    ]
    if not declared:
        return
    measures = "; ".join(_describe(m) for m in declared)
    if not case.mitigable:
        h.mitigation = f"{measures} — 指引规定此情形无缓解措施 / the guideline allows no mitigation"
        return
    view = views.get(h.asset) or AssetView(h.asset, None, False)
    limits = [r["mitigable_when"] for r in rules if "mitigable_when" in r]
    for cond in limits:
        ok, _ = evaluate(cond, view, set(case.unit_ids))
        if not ok:
            h.mitigation = (
                f"{measures} — 不满足指引允许缓解的条件 / the guideline's condition for a "
                "mitigation does not hold on this asset"
            )
            return
    h.mitigated = True
    h.status = "mitigated"
    h.mitigation = measures


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(value)] if isinstance(value, (str, int, float)) else [str(v) for v in value]


def _describe(m: dict[str, Any]) -> str:
    keys = ("id", "measure_zh", "measure_en", "measure", "description")
    parts = [str(m[k]) for k in keys if m.get(k)]
    return " ".join(parts) or "declared mitigation"


def major_hidden_risk(
    high_risks: Sequence[HighRisk], risks: Sequence[Risk], cfg: dict[str, Any]
) -> tuple[bool, str, str]:
    """The configured rule (policies/scoring/default.yaml `major_hidden_risk`), with its reason."""
    m = cfg["major_hidden_risk"]
    if m["override"] is not None:
        word = "存在" if m["override"] else "不存在"
        return bool(m["override"]), f"测评人员判定{word}重大风险隐患", (
            f"the assessor decided: major hidden risk {'present' if m['override'] else 'absent'}")
    cases = set(m["cases"])
    open_ = [h for h in high_risks if h.status == "open" and (not cases or h.case_id in cases)]
    mitigated = [h for h in high_risks if h.status == "mitigated"]
    reasons_zh, reasons_en = [], []
    if m["open_high_risks_at_least"] is not None and len(open_) >= m["open_high_risks_at_least"]:
        ids = ", ".join(sorted({h.case_id for h in open_}, key=_case_key))
        reasons_zh.append(f"{len(open_)} 项未缓解的高风险问题（{ids}）")
        reasons_en.append(f"{len(open_)} open high-risk issue(s) ({ids})")
    if (m["mitigated_high_risks_at_least"] is not None
            and len(mitigated) >= m["mitigated_high_risks_at_least"]):
        reasons_zh.append(f"{len(mitigated)} 项已缓解的高风险问题累积")
        reasons_en.append(f"{len(mitigated)} mitigated high-risk issue(s) accumulate")
    floor = m["register_level_at_least"]
    if floor is not None:
        hits = [r for r in risks if r.level >= floor]
        if hits:
            reasons_zh.append(f"{len(hits)} 项风险等级 ≥ {floor} 的风险")
            reasons_en.append(f"{len(hits)} register risk(s) at level ≥ {floor}")
    if reasons_zh:
        return True, "存在重大风险隐患：" + "；".join(reasons_zh), (
            "major hidden risk: " + "; ".join(reasons_en))
    return False, "未发现重大风险隐患", "no major hidden risk found"
