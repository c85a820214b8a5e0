"""policies/stages/: the stage rules as data are complete, cite real units and load per level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cityguard.core.errors import DataError
from cityguard.gate.stages import load_stage_rules, rules_for
from cityguard.policy.catalog import load_catalog
from cityguard.system.manifest import STAGES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules():
    return load_stage_rules()


def test_every_stage_has_rules_and_ids_are_unique(rules):
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    for stage in STAGES:
        assert rules_for(rules, stage, 3), stage
    # the ones the issue asks for, by stage
    assert {"plan.grading_report", "plan.expert_review", "plan.filing",
            "plan.security_design"} <= {r.id for r in rules_for(rules, "plan", 3)}
    assert {"build.implementation_plan", "build.code_audit",
            "build.supervision"} <= {r.id for r in rules_for(rules, "build", 3)}
    assert {"deploy.acceptance_test", "deploy.security_test", "deploy.high_risks",
            "deploy.findings", "deploy.conclusion", "waivers.not_expired"} \
        <= {r.id for r in rules_for(rules, "deploy", 3)}
    assert {"operate.level_assessment", "operate.filing_valid", "operate.log_retention",
            "operate.contingency_drill"} <= {r.id for r in rules_for(rules, "operate", 3)}


def test_rules_follow_the_level(rules):
    l1 = {r.id for r in rules_for(rules, "build", 1)}
    l2 = {r.id for r in rules_for(rules, "build", 2)}
    l3 = {r.id for r in rules_for(rules, "build", 3)}
    assert "plan.expert_review" not in l1 and "plan.expert_review" in l2  # level 2 and above
    assert "build.code_audit" not in l2 and "build.code_audit" in l3  # level 3 and above
    assert "plan.filing" in l2 and "plan.filing" not in l1


def test_units_exist_in_the_catalog_and_text_is_bilingual(rules):
    known = set(load_catalog().by_id())
    for r in rules:
        missing = [u for u in r.units if u not in known]
        assert not missing, (r.id, missing)
        for field in ("title", "description", "todo"):
            assert getattr(r, f"{field}_zh") and getattr(r, f"{field}_en"), (r.id, field)
        if r.kind == "evidence":
            assert r.param("evidence"), r.id
    assert set(next(r for r in rules if r.id == "build.code_audit").units_for(3)) == {
        "L3-CMS1-15", "L3-CMS1-20"}


def test_evidence_types_named_by_rules_are_manifest_types(rules):
    schema = json.loads((REPO / "src/cityguard/schemas/manifest.schema.json").read_text())
    types = set(schema["$defs"]["evidence"]["properties"]["type"]["enum"])
    for r in rules:
        for key in ("evidence", "not_after", "extending_evidence"):
            assert set(r.param(key, [])) <= types, (r.id, key)


def test_a_site_directory_can_add_rules_and_duplicates_are_refused(tmp_path):
    site = tmp_path / "stages"
    site.mkdir()
    rule = """
stage: operate
rules:
  - id: operate.pentest
    stages: [operate]
    min_level: 3
    kind: evidence
    title_zh: 年度渗透测试
    title_en: Yearly penetration test
    description_zh: 每年一次渗透测试
    description_en: A penetration test every year
    todo_zh: 开展渗透测试
    todo_en: Run a penetration test
    evidence: [security_test]
    max_age_days: 365
"""
    (site / "site.yaml").write_text(rule, encoding="utf-8")
    rules = load_stage_rules([tmp_path])
    assert "operate.pentest" in {r.id for r in rules_for(rules, "operate", 3)}
    (site / "again.yaml").write_text(rule, encoding="utf-8")
    with pytest.raises(DataError, match="operate.pentest"):
        load_stage_rules([tmp_path])


def test_a_bad_rule_file_names_file_and_field(tmp_path):
    (tmp_path / "stages").mkdir()
    (tmp_path / "stages" / "bad.yaml").write_text(
        "stage: deploy\nrules:\n"
        "  - {id: deploy.x, stages: [launch], min_level: 3, kind: evidence}\n")
    with pytest.raises(DataError) as exc:
        load_stage_rules([tmp_path])
    assert "bad.yaml" in str(exc.value)


def test_schema_kinds_are_the_registered_kinds():
    """A kind the data may name is a kind the gate can judge, and the other way round."""
    from cityguard.gate import run  # noqa: F401  (registers every kind)
    from cityguard.gate.kinds import KINDS

    schema = json.loads((REPO / "src" / "cityguard" / "schemas" / "stages.schema.json")
                        .read_text("utf-8"))
    enum = schema["$defs"]["rule"]["properties"]["kind"]["enum"]
    assert sorted(enum) == KINDS.names()
