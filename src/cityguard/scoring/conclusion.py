"""The assessment conclusion: 2025 template (default) and the 2021 grades 优/良/中/差."""

from __future__ import annotations

from typing import Any

from cityguard.model import HighRisk

CONCLUSION_ZH = {
    "compliant": "符合",
    "basically_compliant": "基本符合",
    "non_compliant": "不符合",
}
CONCLUSION_EN = {
    "compliant": "compliant",
    "basically_compliant": "basically compliant",
    "non_compliant": "non-compliant",
}


def conclusion_2025(rate: float, major_hidden_risk: bool, cfg: dict[str, Any]) -> str:
    """符合 above the upper bound with no major hidden risk; 基本符合 down to the lower bound.

    `rate` is the rounded rate printed in the report, so the two never disagree. Above the
    upper bound a major hidden risk gives 基本符合 (the letter requires "no major hidden risk"
    for 符合 only; in the middle band it does not change the conclusion).
    """
    c = cfg["conclusion_2025"]
    above = _above(rate, c)
    basic = rate >= c["basic_from"] if c["basic_inclusive"] else rate > c["basic_from"]
    if above and not major_hidden_risk:
        return "compliant"
    if above or basic:
        return "basically_compliant"
    return "non_compliant"


def conclusion_reason(
    rate: float, major: bool, conclusion: str, cfg: dict[str, Any]
) -> tuple[str, str]:
    c = cfg["conclusion_2025"]
    shown = f"{rate:.{cfg['rate_decimals']}f}"  # as printed in the report
    up = f"{'≥' if c['compliant_inclusive'] else '>'} {c['compliant_above']}%"
    low = f"{'≥' if c['basic_inclusive'] else '>'} {c['basic_from']}%"
    if conclusion == "compliant":
        return (f"符合率 {shown}% {up} 且无重大风险隐患",
                f"rate {shown}% {up} and no major hidden risk")
    if conclusion == "basically_compliant":
        if major and _above(rate, c):
            return (f"符合率 {shown}% {up}，但存在重大风险隐患",
                    f"rate {shown}% {up} but a major hidden risk exists")
        return (f"符合率 {shown}% {low} 且未达到符合线（{up}）",
                f"rate {shown}% {low} and not {up}")
    return (f"符合率 {shown}% 未达到 {low}", f"rate {shown}% is not {low}")


def _above(rate: float, c: dict[str, Any]) -> bool:
    return rate >= c["compliant_above"] if c["compliant_inclusive"] else rate > c["compliant_above"]


def grade_2021(score: float, high_risks: list[HighRisk], cfg: dict[str, Any]) -> str:
    """First grade whose conditions hold: min_score, max_high (open), max_medium (mitigated)."""
    high = sum(1 for h in high_risks if h.status == "open")
    medium = sum(1 for h in high_risks if h.status == "mitigated")
    grades = cfg["template_2021"]["grades"]
    for g in grades:
        if "min_score" in g and score < g["min_score"]:
            continue
        if "max_high" in g and high > g["max_high"]:
            continue
        if "max_medium" in g and medium > g["max_medium"]:
            continue
        return str(g["grade"])
    return str(grades[-1]["grade"])
