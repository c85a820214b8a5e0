"""Worked examples of the score rules, computed by hand (docs/scoring.md §2–§4)."""

from __future__ import annotations

import pytest
from scoring_helpers import config, item, run

from cityguard.model import HighRisk
from cityguard.scoring.conclusion import conclusion_2025, grade_2021


def _answered(verdicts: dict[str, str], importance: dict[str, str] | None = None, **kw):
    importance = importance or {}
    items = [item(u, importance=importance.get(u, "general")) for u in verdicts]
    answers = {u: [{"verdict": v}] for u, v in verdicts.items()}
    return run(items, answers=answers, **kw)


def test_control_point_score_is_weighted_mean_times_10():
    """Weights 一般 1 / 重要 2 / 关键 3.
    key 符合 (3·1) + general 不符合 (1·0) + important 部分符合 (2·0.5) = 4; Σw = 6;
    4 / 6 × 10 = 6.666… → 6.67.
    """
    out = _answered(
        {"L3-CES1-01": "compliant", "L3-CES1-02": "non_compliant", "L3-CES1-03": "partial"},
        {"L3-CES1-01": "key", "L3-CES1-03": "important"},
    )
    (cp,) = out.control_points
    assert cp.key == "CES1/身份鉴别"
    assert cp.score == 6.67
    assert cp.formula == "Σ(w·s) / Σw × 10 = 4 / 6 × 10 = 6.67"
    assert cp.counts == {"compliant": 1, "partial": 1, "non_compliant": 1}


def test_not_applicable_items_leave_the_denominator_of_group_scores():
    """符合 (w1) + 不适用 → 1 / 1 × 10 = 10; a control point of only 不适用 has no score."""
    out = _answered({"L3-CES1-01": "compliant", "L3-CES1-02": "not_applicable"})
    assert out.control_points[0].score == 10
    out = _answered({"L3-CES1-01": "not_applicable"})
    assert out.control_points[0].score is None


def test_class_score_is_weighted_mean_times_100():
    """CES: key 符合 (3) + general 部分符合 (0.5) = 3.5 / 4 × 100 = 87.5; PSS: 不符合 → 0."""
    items = [item("L3-CES1-01", "key"), item("L3-CES1-05", "general", "访问控制"),
             item("L3-PSS1-01", control_point="安全策略")]
    answers = {"L3-CES1-01": [{"verdict": "compliant"}], "L3-CES1-05": [{"verdict": "partial"}],
               "L3-PSS1-01": [{"verdict": "non_compliant"}]}
    out = run(items, answers=answers)
    assert [(c.key, c.score) for c in out.classes] == [("CES", 87.5), ("PSS", 0.0)]
    assert len(out.control_points) == 3


def test_compliance_rate_worked_example():
    """6 符合, 2 部分符合, 1 不符合, 1 不适用:
    (6 + 0.5 × 2) / 9 × 100 = 77.777… → 77.8 → 基本符合."""
    verdicts = {f"L3-CES1-{i:02d}": v for i, v in enumerate(
        ["compliant"] * 6 + ["partial"] * 2 + ["non_compliant", "not_applicable"], start=1)}
    s = _answered(verdicts).summary
    assert s.compliance_rate == 77.8 and s.score == 77.8
    assert s.applicable_items == 9
    assert s.conclusion == "basically_compliant" and s.conclusion_zh == "基本符合"
    assert "(6 + 0.5 × 2) / 9 × 100 = 77.778 ≈ 77.8%" in s.score_formula
    assert "(6 + 0.5 × 2) / 9 × 100 = 77.778 ≈ 77.8%" in s.score_formula_en
    assert s.counts["not_applicable"] == 1


def test_not_assessed_items_count_zero_in_the_denominator():
    """8 符合, 1 未测评, 1 不适用 → 8 / 9 × 100 = 88.9 (not 8 / 8 = 100)."""
    verdicts = {f"L3-CES1-{i:02d}": "compliant" for i in range(1, 9)}
    verdicts["L3-CES1-10"] = "not_applicable"
    items = [item(u) for u in [*verdicts, "L3-CES1-11"]]
    out = run(items, answers={u: [{"verdict": v}] for u, v in verdicts.items()})
    s = out.summary
    assert s.compliance_rate == 88.9
    assert s.counts["not_assessed"] == 1
    assert s.not_checked and "L3-CES1-11" in s.not_checked[0]


def test_fractional_item_scores_are_summed_in_the_formula():
    """Item A: web01 符合 + db01 部分符合 → 0.75; item B 符合 → (1 + 0.75) / 2 = 87.5."""
    items = [item("L3-CES1-01"), item("L3-CES1-02")]
    answers = {"L3-CES1-01": [{"verdict": "compliant", "asset": "web01"},
                              {"verdict": "partial", "asset": "db01"}],
               "L3-CES1-02": [{"verdict": "compliant"}]}
    s = run(items, answers=answers).summary
    assert s.compliance_rate == 87.5
    assert "(1 + 0.75) / 2 × 100 = 87.5%" in s.score_formula


@pytest.mark.parametrize(
    ("rate", "major", "expected"),
    [
        (100.0, False, "compliant"),
        (90.1, False, "compliant"),
        (90.0, False, "basically_compliant"),  # exactly 90 → 基本符合 (rate must exceed 90)
        (95.0, True, "basically_compliant"),  # a major hidden risk blocks 符合
        (60.0, False, "basically_compliant"),  # exactly 60 → 基本符合
        (60.0, True, "basically_compliant"),  # risks do not matter in the middle band
        (59.9, False, "non_compliant"),
        (0.0, False, "non_compliant"),
    ],
)
def test_conclusion_2025_bands_and_boundaries(rate, major, expected):
    assert conclusion_2025(rate, major, config()) == expected


def test_conclusion_boundaries_are_configurable():
    cfg = config(conclusion_2025={"compliant_inclusive": True, "basic_inclusive": False})
    assert conclusion_2025(90.0, False, cfg) == "compliant"
    assert conclusion_2025(60.0, False, cfg) == "non_compliant"


def test_conclusion_is_decided_on_the_printed_rate():
    """25 items: 22 符合, 2 不符合, and one item over 50 objects (25 符合, 1 部分符合, 24 不符合)
    scoring (25 + 0.5) / 50 = 0.51. Rate = (22 + 0.51) / 25 × 100 = 90.04 → printed 90.0, so
    the conclusion is 基本符合 (exactly 90 is not above 90), never 符合 beside "90.0".
    """
    items = [item(f"L3-CES1-{i:02d}") for i in range(1, 26)]
    answers = {f"L3-CES1-{i:02d}": [{"verdict": "compliant"}] for i in range(1, 23)}
    answers["L3-CES1-23"] = answers["L3-CES1-24"] = [{"verdict": "non_compliant"}]
    answers["L3-CES1-25"] = (
        [{"verdict": "compliant", "asset": f"h{i}"} for i in range(25)]
        + [{"verdict": "partial", "asset": "h25"}]
        + [{"verdict": "non_compliant", "asset": f"h{i}"} for i in range(26, 50)]
    )
    s = run(items, answers=answers).summary
    assert s.compliance_rate == 90.0
    assert s.conclusion == "basically_compliant"
    assert "(22 + 0.51) / 25 × 100 = 90.04 ≈ 90.0%" in s.score_formula


def test_conclusion_reason_names_the_rule():
    """(9 + 0.5) / 10 = 95.0 % > 90 % with no high risk → 符合."""
    verdicts = {f"L3-CES1-{i:02d}": "compliant" for i in range(1, 10)}
    verdicts["L3-CES1-10"] = "partial"
    s = _answered(verdicts).summary
    assert (s.compliance_rate, s.conclusion) == (95.0, "compliant")
    assert s.conclusion_reason == "符合率 95.0% > 90% 且无重大风险隐患"
    assert s.conclusion_reason_en == "rate 95.0% > 90% and no major hidden risk"


def test_deduction_score_2021_worked_example():
    """y = 0.5. Technical (4 items): key 不符合 m=3 → 3·1; general 部分符合 → 1·0.5; 2 符合.
    lost = 3.5; tech = 50 − 3.5 × 50 / 4 = 50 − 43.75 = 6.25.
    Management (2 items) all 符合 → 50. Score = 56.25 → grade 差 (< 70).
    """
    verdicts = {"L3-CES1-01": "non_compliant", "L3-CES1-02": "partial",
                "L3-CES1-03": "compliant", "L3-CES1-04": "compliant",
                "L3-PSS1-01": "compliant", "L3-PSS1-02": "compliant"}
    out = _answered(verdicts, {"L3-CES1-01": "key"}, config=config(template="2021"))
    s = out.summary
    assert s.template == "2021"
    assert s.score == 56.25
    assert s.grade_2021 == "差"
    assert "max(0, 50 − 3.5 × 50 / 4) = 6.25" in s.score_formula_en
    assert s.compliance_rate == 75.0  # (4 + 0.5) / 6 × 100
    assert s.conclusion == "basically_compliant"  # the 2025 conclusion is still computed


def test_deduction_focus_coefficient_shifts_weight():
    """y = 0.8: one general technical item 不符合 of 2 → tech = 80 − 1 × 80 / 2 = 40;
    management 1 item 符合 → 20; score = 60."""
    verdicts = {"L3-CES1-01": "non_compliant", "L3-CES1-02": "compliant",
                "L3-PSS1-01": "compliant"}
    cfg = config(template="2021", template_2021={"focus_y": 0.8})
    assert _answered(verdicts, config=cfg).summary.score == 60.0


def test_deduction_floors_each_side_at_zero():
    """One key item 不符合 alone: 50 − 3 × 50 / 1 = −100 → 0; management 符合 50 → score 50."""
    verdicts = {"L3-CES1-01": "non_compliant", "L3-PSS1-01": "compliant"}
    s = _answered(verdicts, {"L3-CES1-01": "key"}, config=config(template="2021")).summary
    assert s.score == 50.0


def _hr(status: str) -> HighRisk:
    return HighRisk("6.4.1.1", [], "web01", "", "", [], status=status)


@pytest.mark.parametrize(
    ("score", "risks", "grade"),
    [
        (95, [], "优"),
        (95, ["mitigated"], "良"),  # a medium (mitigated) risk bars 优
        (85, [], "良"),
        (75, [], "中"),
        (95, ["open"], "差"),  # any open high risk → 差
        (69.9, [], "差"),
    ],
)
def test_grades_2021(score, risks, grade):
    assert grade_2021(score, [_hr(s) for s in risks], config()) == grade


def test_grade_thresholds_are_configurable():
    cfg = config(template_2021={"grades": [{"grade": "良", "min_score": 50}, {"grade": "差"}]})
    assert grade_2021(55, [], cfg) == "良"
    assert grade_2021(45, [], cfg) == "差"
