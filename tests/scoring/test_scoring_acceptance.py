"""Acceptance on the real level-3 catalog (211 items): every item answered by a person.

All 符合 → 100 % and 符合; a third 不符合 → 基本符合; half 不符合 → 不符合. The outcome survives
the Assessment JSON round trip with every field scoring adds.
"""

from __future__ import annotations

import json

import pytest
from scoring_helpers import real_cases, real_items

from cityguard.model import Assessment, SystemInfo
from cityguard.model.serialize import assessment_from_dict, assessment_to_dict
from cityguard.scoring import ScoringInput, evaluate


def _evaluate(non_compliant: int):
    items = list(real_items(3))
    assert len(items) == 211
    answers = {
        it.unit_id: [{"verdict": "non_compliant" if k < non_compliant else "compliant"}]
        for k, it in enumerate(items)
    }
    # the real rules, threats and configuration from the policy search path
    return evaluate(ScoringInput(items=items, high_risk_cases=list(real_cases()),
                                 answers=answers, level=3))


@pytest.mark.parametrize(
    ("non_compliant", "rate", "conclusion", "zh"),
    [
        (0, 100.0, "compliant", "符合"),  # 211 / 211 × 100 = 100
        (70, 66.8, "basically_compliant", "基本符合"),  # a third: (211 − 70) / 211 = 66.82 %
        (106, 49.8, "non_compliant", "不符合"),  # half: (211 − 106) / 211 = 49.76 %
        (105, 50.2, "non_compliant", "不符合"),  # half rounded down: 106 / 211 = 50.24 %
    ],
)
def test_answers_decide_rate_and_conclusion(non_compliant, rate, conclusion, zh):
    out = _evaluate(non_compliant)
    s = out.summary
    assert (s.compliance_rate, s.conclusion, s.conclusion_zh) == (rate, conclusion, zh)
    assert s.counts["compliant"] == 211 - non_compliant
    assert s.counts["non_compliant"] == non_compliant
    assert s.applicable_items == 211
    assert "/ 211 × 100" in s.score_formula and "/ 211 × 100" in s.score_formula_en
    assert not s.major_hidden_risk  # no machine evidence: no case raised
    assert len(out.items) == 211 and len(out.classes) == 10 and len(out.control_points) == 71


def test_outcome_round_trips_through_the_assessment_json():
    out = _evaluate(70)
    a = Assessment(
        run_id="r1", created="2025-06-01T10:00:00+08:00", tool_version="test",
        system=SystemInfo(), assets=[], selection={"level": 3}, items=out.items,
        control_points=out.control_points, classes=out.classes, summary=out.summary,
        high_risks=out.high_risks, risks=out.risks,
    )
    doc = json.loads(json.dumps(assessment_to_dict(a), ensure_ascii=False))
    assert doc["summary"]["compliance_rate"] == 66.8
    assert doc["summary"]["conclusion"] == "basically_compliant"
    assert doc["summary"]["conclusion_zh"] == "基本符合"
    assert doc["items"][0]["unit_id"] == "L3-PES1-01" and "verdict" in doc["items"][0]
    back = assessment_from_dict(doc)
    assert back.summary == out.summary
    assert back.items == out.items
    assert back.classes == out.classes and back.control_points == out.control_points
