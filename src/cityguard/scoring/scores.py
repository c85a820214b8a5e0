"""Item scores, control-point and class scores, the compliance rate and the 2021 deduction score.

Rules (docs/scoring.md §2–§4):
- object scores 符合 1 / 部分符合 0.5 / 不符合 0; 未测评 counts 0 (a gap never helps); 不适用
  leaves the object out;
- item score = mean over its applicable objects;
- control point = Σ(w·s) / Σw × 10 and class = Σ(w·s) / Σw × 100 over applicable items, with w
  the importance weight (一般 / 重要 / 关键);
- 符合率 = Σ item scores / applicable items × 100 (not_assessed items stay in the denominator).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cityguard.model import (
    MANAGEMENT_CLASSES,
    TECHNICAL_CLASSES,
    GroupScore,
    Item,
    ItemResult,
    ObjectVerdict,
)
from cityguard.scoring.common import SCORE, fmt, item_key, round_half_up

VERDICTS = ("compliant", "partial", "non_compliant", "not_assessed", "not_applicable")


def item_result(item: Item, objects: list[ObjectVerdict], cfg: dict[str, Any]) -> ItemResult:
    applicable = [o for o in objects if o.verdict != "not_applicable"]
    gaps = [o.asset for o in applicable if o.verdict == "not_assessed"]
    if not applicable:
        verdict, score = "not_applicable", None
    elif len(gaps) == len(applicable):
        verdict, score = "not_assessed", None
    else:
        score = sum(SCORE[o.verdict] for o in applicable) / len(applicable)
        verdict = "compliant" if score == 1 else "non_compliant" if score == 0 else "partial"
    return ItemResult(
        unit_id=item.unit_id,
        clause=item.clause_ref,
        class_code=item.class_code,
        control_point_zh=item.control_point_zh,
        control_point_en=item.control_point_en,
        importance=item.importance,
        verdict=verdict,
        score=score,
        objects=objects,
        summary_zh=item.summary_zh,
        summary_en=item.summary_en,
        weight=float(cfg["weights"][item.importance]),
        gaps=gaps,
        corrected=any(o.verdict != o.verdict_before for o in objects),
        needs_confirmation=any(o.needs_confirmation for o in objects),
    )


def rate_score(r: ItemResult) -> float | None:
    """The item's score in every rate: None for 不适用, 0 for 未测评."""
    if r.verdict == "not_applicable":
        return None
    return 0.0 if r.score is None else r.score


def _weighted(results: Sequence[ItemResult]) -> tuple[float | None, float, float]:
    num = den = 0.0
    for r in results:
        s = rate_score(r)
        if s is None:
            continue
        num += r.weight * s
        den += r.weight
    return (num / den if den else None), num, den


def group_scores(
    results: Sequence[ItemResult], items: Sequence[Item], cfg: dict[str, Any]
) -> tuple[list[GroupScore], list[GroupScore]]:
    """Control-point scores (0–10) and class scores (0–100), in catalog order."""
    by_id = {i.unit_id: i for i in items}
    cps: dict[str, list[ItemResult]] = {}
    classes: dict[str, list[ItemResult]] = {}
    names: dict[str, tuple[str, str]] = {}
    for r in results:
        it = by_id[r.unit_id]
        cps.setdefault(item_key(it), []).append(r)
        classes.setdefault(it.class_code, []).append(r)
        names.setdefault(item_key(it), (it.control_point_zh, it.control_point_en))
        names.setdefault(it.class_code, (it.class_zh, it.class_en))
    dec = cfg["score_decimals"]
    out_cp = [_group(k, names[k], rs, 10, dec) for k, rs in cps.items()]
    order = {c: i for i, c in enumerate(TECHNICAL_CLASSES + MANAGEMENT_CLASSES)}
    out_cls = [
        _group(k, names[k], classes[k], 100, dec) for k in sorted(classes, key=lambda c: order[c])
    ]
    return out_cp, out_cls


def _group(
    key: str, name: tuple[str, str], rs: list[ItemResult], scale: int, dec: int
) -> GroupScore:
    mean, num, den = _weighted(rs)
    counts = Counter(r.verdict for r in rs)
    if mean is None:
        formula = "Σw = 0: every item not applicable"
        score = None
    else:
        score = round_half_up(mean * scale, dec)
        formula = (f"Σ(w·s) / Σw × {scale} = {fmt(num, 3)} / {fmt(den, 3)} × {scale} = "
                   f"{fmt(score, dec)}")
    return GroupScore(
        key=key, name_zh=name[0], name_en=name[1], score=score, items=len(rs),
        counts={v: counts[v] for v in VERDICTS if counts[v]}, formula=formula,
    )


@dataclass
class Rate:
    rate: float  # 0–100, rounded to rate_decimals
    exact: float  # unrounded
    total: int
    applicable: int
    sum_scores: float
    counts: dict[str, int]
    partial_sum: float
    formula_zh: str
    formula_en: str


def compliance_rate(results: Sequence[ItemResult], cfg: dict[str, Any]) -> Rate:
    counts = Counter(r.verdict for r in results)
    scored = [s for s in (rate_score(r) for r in results) if s is not None]
    applicable = len(scored)
    total_score = sum(scored)
    exact = total_score / applicable * 100 if applicable else 0.0
    dec = cfg["rate_decimals"]
    rate = round_half_up(exact, dec)
    partial_scores = [r.score or 0.0 for r in results if r.verdict == "partial"]
    partial_sum = sum(partial_scores)
    c, p, n = counts["compliant"], counts["partial"], counts["non_compliant"]
    gap, na = counts["not_assessed"], counts["not_applicable"]
    r_txt = f"{rate:.{dec}f}%"
    if abs(exact - rate) > 1e-9:  # show the rounding step: 77.78 ≈ 77.8%
        r_txt = f"{fmt(exact, dec + 2)} ≈ {r_txt}"
    if all(abs(s - 0.5) < 1e-9 for s in partial_scores):
        head_zh = "(符合项数 + 0.5 × 部分符合项数) / 适用项数 × 100"
        head_en = "(compliant + 0.5 × partial) / applicable items × 100"
        body = f"({c} + 0.5 × {p}) / {applicable} × 100"
    else:  # objects averaged to other fractions: the partial items' scores are summed
        head_zh = "(符合项数 + 部分符合项得分之和) / 适用项数 × 100"
        head_en = "(compliant + sum of partial items' scores) / applicable items × 100"
        body = f"({c} + {fmt(partial_sum, 3)}) / {applicable} × 100"
    zh = (
        f"符合率 = {head_zh} = {body} = {r_txt}（适用项数 = 测评项 {len(results)} − 不适用 {na}；"
        f"不符合 {n} 项、未测评 {gap} 项均计 0 分）"
    )
    en = (
        f"compliance rate = {head_en} = {body} = {r_txt} (applicable = {len(results)} items − "
        f"{na} not applicable; {n} non-compliant and {gap} not assessed score 0)"
    )
    if not applicable:
        zh = "符合率 = 0%（没有适用的测评项）"
        en = "compliance rate = 0% (no applicable item)"
    return Rate(rate, exact, len(results), applicable, total_score,
                {v: counts[v] for v in VERDICTS}, partial_sum, zh, en)


@dataclass
class Deduction:
    score: float
    tech: float
    mgmt: float
    formula_zh: str
    formula_en: str


def deduction_score(results: Sequence[ItemResult], cfg: dict[str, Any]) -> Deduction:
    """2021 template (reconstructed): deduct m_i·(1 − s_i) base units per item, per side.

    tech = 100·y − Σ_tech m_i·(1 − s_i) · 100·y / N_tech (floored at 0); management the same
    with (1 − y); m_i = weights[importance] (1 / 2 / 3).
    """
    y = float(cfg["template_2021"]["focus_y"])
    dec = cfg["score_decimals"]
    parts = {}
    sides = (("tech", TECHNICAL_CLASSES, y), ("mgmt", MANAGEMENT_CLASSES, 1 - y))
    for side, classes, share in sides:
        rs = [r for r in results if r.class_code in classes and rate_score(r) is not None]
        n = len(rs)
        lost = sum(r.weight * (1 - (rate_score(r) or 0.0)) for r in rs)
        full = 100 * share
        value = max(0.0, full - lost * full / n) if n else full
        parts[side] = (value, n, lost, full)
    tech, mgmt = parts["tech"][0], parts["mgmt"][0]
    score = round_half_up(tech + mgmt, dec)

    def side_txt(key: str, label: str) -> str:
        value, n, lost, full = parts[key]
        if not n:
            return f"{label} = {fmt(full, dec)}"
        return (f"{label} = max(0, {fmt(full, dec)} − {fmt(lost, 3)} × {fmt(full, dec)} / {n})"
                f" = {fmt(value, dec)}")

    zh = (
        f"综合得分 = 技术部分 + 管理部分，y = {fmt(y, 3)}；"
        + side_txt("tech", "技术部分") + "；" + side_txt("mgmt", "管理部分")
        + f"；综合得分 = {fmt(score, dec)}（扣分系数 一般/重要/关键 = "
        + "/".join(fmt(float(cfg['weights'][k]), 2) for k in ('general', 'important', 'key')) + "）"
    )
    en = (
        f"score = technical + management, y = {fmt(y, 3)}; "
        + side_txt("tech", "technical") + "; " + side_txt("mgmt", "management")
        + f"; score = {fmt(score, dec)} (deduction multipliers general/important/key = "
        + "/".join(fmt(float(cfg['weights'][k]), 2) for k in ('general', 'important', 'key')) + ")"
    )
    return Deduction(score, tech, mgmt, zh, en)
