"""Item verdicts per object: checks, findings, evidence records, answers and corrections."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from scoring_helpers import asset, config, finding, item, result, run

UNIT = "L3-CES1-01"


def _only(outcome):
    (ir,) = outcome.items
    return ir


def test_all_checks_pass_is_compliant():
    """2 checks pass, none fail → 符合; item score = 1."""
    ir = _only(run([item()], results=[result("a", "pass"), result("b", "pass")]))
    assert ir.verdict == "compliant"
    assert ir.score == 1.0
    (obj,) = ir.objects
    assert obj.asset == "web01" and obj.source == "checks"
    assert obj.check_ids == ["a", "b"]


def test_pass_and_fail_is_partial():
    """1 pass + 1 fail on one object → 部分符合 (0.5)."""
    ir = _only(run([item()], results=[result("a", "pass"), result("b", "fail")]))
    assert (ir.verdict, ir.score) == ("partial", 0.5)


def test_only_failures_is_non_compliant():
    """fail only → 不符合 (0)."""
    ir = _only(run([item()], results=[result("a", "fail")]))
    assert (ir.verdict, ir.score) == ("non_compliant", 0.0)


def test_pass_with_open_manual_question_is_decided_and_marked_for_confirmation():
    """pass + manual (unanswered) → 符合 from the evidence, the question kept open on the item."""
    q = replace(result("q", "manual"),
                reason="是否经堡垒机登录？ / Do logins go through the bastion?")
    ir = _only(run([item()], results=[result("a", "pass"), q]))
    assert ir.verdict == "compliant" and ir.needs_confirmation
    (obj,) = ir.objects
    assert obj.needs_confirmation and obj.decided_by == ["a"]
    assert [(x.check_id, x.question_zh, x.question_en) for x in obj.open_questions] == [
        ("q", "是否经堡垒机登录？", "Do logins go through the bastion?")]
    assert "confirm" in obj.reason and "待人工确认" in obj.reason_zh


def test_pass_with_an_erroring_decisive_check_is_a_gap_by_default():
    """pass + error → 未测评 by default: the part that errored is unverified, never compliant."""
    res = [result("a", "pass"), result("e", "error")]
    ir = _only(run([item()], results=res))
    assert ir.verdict == "not_assessed"
    assert ir.objects[0].unverified == ["e"] and "could not run" in ir.objects[0].reason
    trusting = config(verdicts={"pass_with_pending": "compliant"})
    assert _only(run([item()], results=res, config=trusting)).verdict == "compliant"


def test_manual_or_error_only_is_not_assessed_and_all_na_is_not_applicable():
    assert _only(run([item()], results=[result("q", "manual")])).verdict == "not_assessed"
    assert _only(run([item()], results=[result("e", "error")])).verdict == "not_assessed"
    ir = _only(run([item()], results=[result("n", "not_applicable")]))
    assert (ir.verdict, ir.score) == ("not_applicable", None)


def test_item_without_any_evidence_is_a_gap_on_the_system_object():
    ir = _only(run([item()]))
    assert ir.verdict == "not_assessed" and ir.score is None
    (obj,) = ir.objects
    assert (obj.asset, obj.source) == ("system", "none")
    assert ir.gaps == ["system"]


def test_high_finding_makes_passing_item_non_compliant():
    """Checks pass but an open high finding is mapped to the item → 不符合 (worst wins)."""
    f = finding(units=(UNIT,), asset_key="web01", severity="high")
    ir = _only(run([item()], results=[result("a", "pass")], findings=[f]))
    assert ir.verdict == "non_compliant"
    assert ir.objects[0].finding_ids == [f.fingerprint]


def test_low_finding_caps_at_partial_and_info_or_closed_findings_are_ignored():
    low = finding(units=(UNIT,), asset_key="web01", severity="low")
    assert _only(run([item()], results=[result("a", "pass")], findings=[low])).verdict == "partial"
    info = finding(units=(UNIT,), asset_key="web01", severity="info", rule_id="2")
    fixed = finding(units=(UNIT,), asset_key="web01", severity="critical", status="fixed")
    ir = _only(run([item()], results=[result("a", "pass")], findings=[info, fixed]))
    assert ir.verdict == "compliant"


def test_findings_alone_never_make_an_item_compliant():
    info = finding(units=(UNIT,), severity="info")
    assert _only(run([item()], findings=[info])).verdict == "not_assessed"


def test_finding_resolves_to_declared_asset_by_ssh_host():
    """asset_key 10.0.0.5 matches the asset whose target is ssh://ops@10.0.0.5:22."""
    a = asset("db01", target="ssh://ops@10.0.0.5:22")
    f = finding(units=(UNIT,), asset_key="10.0.0.5", severity="medium")
    ir = _only(run([item()], assets=[a], findings=[f]))
    assert [o.asset for o in ir.objects] == ["db01"]
    assert ir.verdict == "partial"


def test_waived_failure_still_counts_unless_configured():
    res = [result("a", "pass"), result("b", "fail", waived=True)]
    assert _only(run([item()], results=res)).verdict == "partial"
    cfg = config(verdicts={"count_waived": False})
    assert _only(run([item()], results=res, config=cfg)).verdict == "compliant"


def test_object_scores_are_averaged_over_objects():
    """web01 符合 (1), db01 部分符合 (0.5) → item score (1 + 0.5) / 2 = 0.75, label 部分符合."""
    res = [result("a", "pass", asset="web01"), result("a", "pass", asset="db01"),
           result("b", "fail", asset="db01")]
    ir = _only(run([item()], results=res))
    assert ir.score == 0.75 and ir.verdict == "partial"
    assert [o.verdict for o in ir.objects] == ["partial", "compliant"]  # sorted: db01, web01


def test_an_object_not_assessed_counts_zero_in_the_mean():
    """web01 符合 (1), db01 未测评 (0) → (1 + 0) / 2 = 0.5; db01 is listed as a gap."""
    res = [result("a", "pass", asset="web01"), result("q", "manual", asset="db01")]
    ir = _only(run([item()], results=res))
    assert ir.score == 0.5 and ir.gaps == ["db01"]


def test_valid_evidence_record_gives_compliant_and_stale_one_stays_a_gap():
    """Record dated 2025-01-10 with an approver, judged on 2025-06-01 (142 days ≤ 365) → 符合."""
    it = item("L3-PSS1-01", control_point="安全策略")
    rec = {"type": "policy", "path": "docs/policy.pdf", "date": "2025-01-10",
           "approver": "王主任", "ref": "L3-PSS1-01"}
    ir = _only(run([it], evidence_records=[rec], today=date(2025, 6, 1)))
    assert ir.verdict == "compliant" and ir.objects[0].source == "evidence"
    stale = dict(rec, date="2023-01-10")
    ir = _only(run([it], evidence_records=[stale], today=date(2025, 6, 1)))
    assert ir.verdict == "not_assessed" and "days old" in ir.objects[0].reason
    unapproved = dict(rec, approver="")
    ir = _only(run([it], evidence_records=[unapproved], today=date(2025, 6, 1)))
    assert "no approver" in ir.objects[0].reason


def test_evidence_record_does_not_override_a_machine_verdict():
    rec = {"path": "x.pdf", "date": "2025-05-01", "approver": "a", "ref": [UNIT]}
    ir = _only(run([item()], results=[result("a", "fail")], evidence_records=[rec],
                   today=date(2025, 6, 1)))
    assert ir.verdict == "non_compliant"


def test_answer_overrides_automated_verdict_and_both_are_kept():
    answers = {UNIT: [{"verdict": "compliant", "assessor": "张工", "note": "已启用双因素"}]}
    ir = _only(run([item()], results=[result("a", "fail")], answers=answers))
    (obj,) = ir.objects
    assert obj.verdict == "compliant" and obj.source == "answer"
    assert obj.automated_verdict == "non_compliant"
    assert "overrides automated non_compliant" in obj.reason and "张工" in obj.reason
    assert "不符合" in obj.reason_zh
    assert obj.answer["note"] == "已启用双因素"


def test_asset_answers_and_a_general_answer_for_the_rest():
    """db01 answered partial; the answer without asset covers web01 and app01 → (0.5+1+1)/3."""
    res = [result("a", "fail", asset=a) for a in ("web01", "db01", "app01")]
    answers = {UNIT: [{"verdict": "partial", "asset": "db01"}, {"verdict": "compliant"}]}
    ir = _only(run([item()], results=res, answers=answers))
    assert {o.asset: o.verdict for o in ir.objects} == {
        "app01": "compliant", "db01": "partial", "web01": "compliant"}
    assert abs(ir.score - 2.5 / 3) < 1e-9


def test_answer_on_unassessed_item_creates_the_system_object():
    ir = _only(run([item()], answers={UNIT: [{"verdict": "not_applicable"}]}))
    assert ir.verdict == "not_applicable" and ir.objects[0].asset == "system"
    assert ir.objects[0].automated_verdict is None


def test_correction_raises_verdict_and_keeps_before_after_and_reason():
    """不符合 + a compensating measure (default raise_to 部分符合):
    修正前 不符合 (0), 修正后 部分符合 (0.5)."""
    m = {"id": "M1", "unit_ids": [UNIT], "measure_zh": "堡垒机统一鉴别", "measure_en": "bastion"}
    ir = _only(run([item()], results=[result("a", "fail")], mitigations=[m]))
    (obj,) = ir.objects
    assert (obj.verdict_before, obj.verdict) == ("non_compliant", "partial")
    assert "堡垒机统一鉴别" in obj.correction and "不符合 → 部分符合" in obj.correction
    assert ir.corrected and ir.score == 0.5


def test_correction_respects_asset_cap_and_never_touches_gaps():
    m = {"unit_ids": [UNIT], "raise_to": "compliant", "asset": "db01"}
    ir = _only(run([item()], results=[result("a", "fail", asset="web01")], mitigations=[m]))
    assert ir.verdict == "non_compliant"  # other asset
    capped = config(verdicts={"corrections": {"max_verdict": "partial"}})
    m2 = {"unit_ids": [UNIT], "raise_to": "compliant"}
    ir = _only(run([item()], results=[result("a", "fail")], mitigations=[m2], config=capped))
    assert ir.verdict == "partial"
    ir = _only(run([item()], mitigations=[m2]))
    assert ir.verdict == "not_assessed"  # nothing assessed: nothing to correct
