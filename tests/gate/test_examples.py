"""The shipped examples through the real pipeline (checks on dir: targets, scanner files,
answers, scoring): the complete system passes every stage gate, and each variant fails the
rule it is named after. Judged as of TODAY so that the result never rots."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityguard.gate.run import GateRequest, evaluate_gate, run_gate
from cityguard.gate.stages import load_stage_rules
from cityguard.system.manifest import STAGES, load_manifest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "smart-city-portal" / "cityguard.yaml"
VARIANTS = REPO / "examples" / "variants"  # they reuse the example's files: outside paths
TODAY = "2025-09-01"
# a variant breaks one thing; where that thing is also behind another rule, both fail
ALSO_FAILS = {
    "waivers.not_expired": {"deploy.findings"},  # the expired waiver no longer hides the CVE
    "operate.log_retention": {"deploy.high_risks"},  # logs < 6 months is high-risk case 6.5.1.2
}


def _failed(result) -> set[str]:
    return {o.id for o in result.outcomes if o.state == "fail"}


@pytest.fixture(scope="module")
def base_run():
    return run_gate(GateRequest(stage="deploy", system=str(EXAMPLE), today=TODAY))


def test_the_example_passes_the_deploy_gate_with_a_valid_waiver(base_run):
    result = base_run.result
    assert base_run.ran_assessment and base_run.assessment is not None
    assert result.passed, [(o.id, o.message_en) for o in result.failed]
    assert {o.state for o in result.outcomes} == {"pass"}
    a = base_run.assessment
    # the run really looked: host checks, both scanner files, answers and scoring
    assert len(a.results) > 100 and {f.tool for f in a.findings} == {"trivy", "nessus"}
    assert a.summary.conclusion in ("compliant", "basically_compliant")
    findings = next(o for o in result.outcomes if o.id == "deploy.findings")
    assert "3 waived" in findings.message_en  # W1 (the image CVE), W2 and W3 (file modes)


def test_the_example_passes_every_stage(base_run):
    manifest = load_manifest(EXAMPLE)
    rules = load_stage_rules()
    for stage in STAGES:
        result = evaluate_gate(manifest, stage, base_run.assessment, today=TODAY, rules=rules)
        assert result.passed, (stage, [(o.id, o.message_en) for o in result.failed])
        assert result.outcomes


def test_there_is_a_variant_for_every_rule():
    rule_ids = {r.id for r in load_stage_rules()}
    variants = {p.name for p in VARIANTS.iterdir() if (p / "cityguard.yaml").is_file()}
    assert variants == rule_ids


@pytest.mark.parametrize("rule_id", sorted(p.name for p in VARIANTS.iterdir()
                                           if (p / "cityguard.yaml").is_file()))
def test_each_variant_fails_its_rule(rule_id):
    path = VARIANTS / rule_id / "cityguard.yaml"
    run = run_gate(GateRequest(system=str(path), today=TODAY,  # the variant's own stage
                               allow_outside_paths=True))
    result = run.result
    assert result.stage == load_manifest(path, allow_outside_paths=True).stage
    assert not result.passed
    assert _failed(result) == {rule_id} | ALSO_FAILS.get(rule_id, set()), \
        [(o.id, o.message_en) for o in result.failed]
    outcome = next(o for o in result.outcomes if o.id == rule_id)
    assert outcome.todo_zh and outcome.todo_en and outcome.message_zh and outcome.message_en
    # plan and build judge documents only: no assessment is run for them
    assert run.ran_assessment == (result.stage in ("deploy", "operate"))


def test_a_baseline_run_hides_what_was_there_and_catches_what_is_new(base_run, tmp_path):
    """Baseline = the example's own run: without waiver W1 the image CVE was already in the
    baseline (so it no longer blocks); a new scan's high-risk issue still does."""
    import json

    from cityguard.model.serialize import assessment_to_dict

    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(assessment_to_dict(base_run.assessment), ensure_ascii=False),
                        encoding="utf-8")
    findings_variant = VARIANTS / "deploy.findings" / "cityguard.yaml"
    plain = run_gate(GateRequest(system=str(findings_variant), today=TODAY,
                                 allow_outside_paths=True)).result
    assert _failed(plain) == {"deploy.findings"}
    hidden = run_gate(GateRequest(system=str(findings_variant), today=TODAY,
                                  baseline=str(baseline), allow_outside_paths=True)).result
    assert hidden.passed and hidden.baseline_run_id == base_run.assessment.run_id
    assert "1 already in the baseline" in next(
        o for o in hidden.outcomes if o.id == "deploy.findings").message_en
    new = run_gate(GateRequest(system=str(VARIANTS / "deploy.high_risks" / "cityguard.yaml"),
                               today=TODAY, baseline=str(baseline),
                               allow_outside_paths=True)).result
    assert _failed(new) == {"deploy.high_risks"}
