"""The verdict rule of docs/scoring.md §1: decisive checks decide, advisory checks are advice,
manual checks are questions, critical failures defeat an item, and the reasoning is kept."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
from scoring_helpers import config, item, result, run

from cityguard.model import Assessment, SystemInfo
from cityguard.model.serialize import assessment_from_dict, assessment_to_dict
from cityguard.policy.checkmap import Mapping
from cityguard.scoring import ScoringInput, evaluate

UNIT = "L3-CES1-01"
SCHEMA = Path(__file__).resolve().parents[2] / "src/cityguard/schemas/assessment.schema.json"


def _mapped(**roles: str) -> dict[str, tuple[Mapping, ...]]:
    return {UNIT: tuple(Mapping(cid, role, "test") for cid, role in roles.items())}


def _one(results, mappings=None, **kw):
    (ir,) = run([item()], results=results, mappings=mappings, **kw).items
    return ir


def _question(check_id: str = "q") -> object:
    return replace(result(check_id, "manual"), reason="默认口令是否已修改？ / Were default "
                                                      "passwords changed?")


def test_an_advisory_failure_never_lowers_the_verdict_and_is_listed_as_advice():
    ir = _one([result("a", "pass"), result("b", "fail")], _mapped(a="decisive", b="advisory"))
    assert ir.verdict == "compliant"
    (obj,) = ir.objects
    assert (obj.decided_by, obj.advisory, obj.advice) == (["a"], ["b"], ["b"])
    assert "recommendation" in obj.reason and "整改建议" in obj.reason_zh


def test_advice_alone_is_no_evidence_of_the_control():
    ir = _one([result("b", "pass"), result("c", "fail")], _mapped(b="advisory", c="advisory"))
    assert ir.verdict == "not_assessed" and ir.objects[0].decided_by == []
    assert "only advisory" in ir.objects[0].reason


def test_a_critical_failure_defeats_the_item_a_lesser_one_makes_it_partial():
    high = [result("a", "pass"), result("b", "fail", severity="high")]
    assert _one(high).verdict == "partial"
    critical = [result("a", "pass"), result("b", "fail", severity="critical")]
    ir = _one(critical)
    assert ir.verdict == "non_compliant" and "critical" in ir.objects[0].reason
    lenient = config(verdicts={"defeated_at": "info"})
    assert _one(critical, config=config(verdicts={"defeated_at": "critical"})).verdict \
        == "non_compliant"
    assert _one([result("a", "pass"), result("b", "fail", severity="low")],
                config=lenient).verdict == "non_compliant"


def test_a_question_does_not_veto_the_evidence_in_either_direction():
    passed = _one([result("a", "pass"), _question()])
    assert (passed.verdict, passed.needs_confirmation) == ("compliant", True)
    failed = _one([result("a", "fail"), _question()])
    assert (failed.verdict, failed.needs_confirmation) == ("non_compliant", True)
    only = _one([_question()])
    assert (only.verdict, only.needs_confirmation) == ("not_assessed", False)
    assert [q.check_id for q in only.objects[0].open_questions] == ["q"]
    assert "only questions" in only.objects[0].reason


def test_not_applicable_and_error_never_count_as_compliant():
    assert _one([result("n", "not_applicable")]).verdict == "not_applicable"
    assert _one([result("e", "error")]).verdict == "not_assessed"
    ir = _one([result("a", "pass"), result("e", "error"), result("n", "not_applicable")])
    assert ir.verdict == "not_assessed" and ir.objects[0].unverified == ["e"]


def test_an_answer_settles_the_questions_and_keeps_the_machine_reasoning():
    answers = {UNIT: [{"verdict": "compliant", "note": "已核对", "assessor": "张工"}]}
    ir = _one([result("a", "pass"), result("b", "fail"), _question()],
              _mapped(a="decisive", b="advisory", q="decisive"), answers=answers)
    (obj,) = ir.objects
    assert (obj.source, obj.verdict, obj.needs_confirmation) == ("answer", "compliant", False)
    assert obj.open_questions == [] and obj.decided_by == ["a"] and obj.advice == ["b"]


def test_roles_come_from_the_level_3_checkmap_when_not_given():
    """login.defs PASS_MIN_DAYS is advisory for L3-CES1-01, an empty password decisive."""
    res = [result("linux.accounts.no_empty_passwords", "pass"),
           result("linux.accounts.login_defs_min_days", "fail", severity="low")]
    ir = _one(res)
    assert ir.verdict == "compliant"
    assert ir.objects[0].advice == ["linux.accounts.login_defs_min_days"]


def test_the_reasoning_round_trips_through_the_json_and_matches_its_schema():
    inp = ScoringInput(items=[item()], results=[result("a", "pass"), result("b", "fail"),
                                                _question()],
                       mappings=_mapped(a="decisive", b="advisory", q="decisive"))
    out = evaluate(inp)
    a = Assessment(run_id="r1", created="2026-01-01T00:00:00+08:00", tool_version="0",
                   system=SystemInfo(), assets=[], selection={"level": 3}, results=inp.results,
                   items=out.items, summary=out.summary)
    doc = assessment_to_dict(a)
    obj = doc["items"][0]["objects"][0]
    assert obj["open_questions"] == [{"check_id": "q", "question_zh": "默认口令是否已修改？",
                                      "question_en": "Were default passwords changed?"}]
    assert doc["items"][0]["needs_confirmation"] is True
    jsonschema.validate(doc, json.loads(SCHEMA.read_text("utf-8")))
    assert assessment_to_dict(assessment_from_dict(doc)) == doc
    assert any("confirm" in line for line in out.summary.not_checked)


def test_advisory_checks_that_do_not_apply_leave_the_item_not_applicable():
    ir = _one([result("b", "not_applicable"), result("d", "not_applicable")],
              _mapped(b="advisory", d="decisive"))
    assert ir.verdict == "not_applicable"
