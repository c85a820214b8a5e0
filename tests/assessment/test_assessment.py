"""Orchestration: selection, --only/--skip, unit ids, several assets, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cityguard.assess.outputs import parse_formats, plan_outputs, write_outputs
from cityguard.assess.run import AssessRequest, plan_assessment, run_assessment
from cityguard.assess.views import (
    control_point_summary,
    failed_at_or_above,
    validate_library,
)
from cityguard.core.errors import CityguardError, UsageError
from cityguard.model.serialize import assessment_from_dict, assessment_to_dict
from cityguard.policy.catalog import load_catalog

REPO = Path(__file__).resolve().parents[2]
HARDENED = REPO / "tests" / "fixtures" / "hosts" / "hardened"
WEAK = REPO / "tests" / "fixtures" / "hosts" / "weak"


@pytest.fixture(scope="module")
def weak_and_hardened():
    if not HARDENED.is_dir() or not WEAK.is_dir():
        pytest.skip("host fixture roots are missing")
    req = AssessRequest(targets=[f"dir:{WEAK}", f"dir:{HARDENED}"])
    return run_assessment(req)


def test_plan_selects_checks_mapped_to_selected_items() -> None:
    plan = plan_assessment(AssessRequest())
    selected = {i.unit_id for i in plan.items}
    assert plan.checks and all(plan.unit_ids[c.id] for c in plan.checks)
    assert all(set(plan.unit_ids[c.id]) <= selected for c in plan.checks)
    assert not any(u[-4] == "2" for c in plan.checks for u in plan.unit_ids[c.id])
    cloud = plan_assessment(AssessRequest(extensions=["cloud"]))  # L3-CES2-… items too
    assert any(u[-4] == "2" for c in cloud.checks for u in cloud.unit_ids[c.id])
    assert len(cloud.checks) >= len(plan.checks)


def test_grade_uses_two_levels_of_mapping() -> None:
    plan = plan_assessment(AssessRequest(grade="S3A2"))
    levels = {u[1] for units in plan.unit_ids.values() for u in units}
    assert levels == {"2", "3"}


def test_only_and_skip() -> None:
    full = plan_assessment(AssessRequest())
    one = full.checks[0].id
    unit = full.unit_ids[one][0]
    only = plan_assessment(AssessRequest(only=[one]))
    assert [c.id for c in only.checks] == [one]
    by_unit = plan_assessment(AssessRequest(only=[unit]))
    assert by_unit.checks and all(unit in by_unit.unit_ids[c.id] for c in by_unit.checks)
    skipped = plan_assessment(AssessRequest(skip=[f"{one},{unit}"]))
    assert one not in {c.id for c in skipped.checks}
    assert all(unit not in skipped.unit_ids[c.id] for c in skipped.checks)
    with pytest.raises(UsageError, match="neither a check id nor a unit id"):
        plan_assessment(AssessRequest(only=["no.such.check"]))
    with pytest.raises(UsageError, match="not selected"):
        plan_assessment(AssessRequest(only=["L2-CES1-01"]))
    with pytest.raises(UsageError, match="no unit"):
        plan_assessment(AssessRequest(skip=["L3-CES1-99"]))


def test_extra_library_checks_run_unmapped(tmp_path: Path) -> None:
    check = {"id": "site.extra.motd_present", "title_zh": "存在登录提示", "title_en": "MOTD exists",
             "severity": "low", "rationale_zh": "提示。", "rationale_en": "Notice.",
             "remediation_zh": "创建 /etc/motd。", "remediation_en": "Create /etc/motd.",
             "rules": [{"probe": "file", "path": "/etc/motd", "expect": {"exists": True}}]}
    (tmp_path / "site.yaml").write_text(yaml.safe_dump({"checks": [check]}, allow_unicode=True))
    plan = plan_assessment(AssessRequest(checks_dirs=[str(tmp_path)]))
    assert "site.extra.motd_present" in {c.id for c in plan.checks}
    assert plan.unit_ids["site.extra.motd_present"] == ()


def test_weak_and_hardened_assets(weak_and_hardened) -> None:
    a = weak_and_hardened
    assert [x.id for x in a.assets] == ["weak", "hardened"]
    by_asset: dict[str, dict[str, int]] = {}
    for r in a.results:
        counts = by_asset.setdefault(r.asset, {})
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    assert by_asset["weak"].get("fail", 0) > by_asset["hardened"].get("fail", 0)
    assert by_asset["hardened"].get("pass", 0) > by_asset["weak"].get("pass", 0)
    assert not by_asset["weak"].get("error") and not by_asset["hardened"].get("error")
    assert a.selection["level"] == 3 and a.system.grade == "S3A3"
    assert failed_at_or_above(a, "critical") == [
        r for r in a.results if r.status.value == "fail" and r.severity.value == "critical"]
    rows = control_point_summary(a, load_catalog())
    assert rows and rows[0].class_code in ("CNS", "ABS", "CES")
    assert sum(sum(r.counts.values()) for r in rows) >= len(a.results)
    # the JSON round-trips through the model
    again = assessment_from_dict(json.loads(json.dumps(assessment_to_dict(a))))
    assert [r.to_dict() for r in again.results] == [r.to_dict() for r in a.results]


def test_outputs_rules_and_atomic_writes(tmp_path: Path, weak_and_hardened, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse_formats(["json"]) == ["json"] and parse_formats([]) == ["json"]
    with pytest.raises(CityguardError, match="unknown .*format"):
        parse_formats(["json,nope"])
    assert plan_outputs(["json"], None) == [("json", Path("cityguard-report/assessment.json"))]
    assert plan_outputs(["json"], "out.json") == [("json", Path("out.json"))]
    assert plan_outputs(["json"], "outdir/") == [("json", Path("outdir/assessment.json"))]
    written = write_outputs(weak_and_hardened, ["json"], tmp_path / "r.json")
    assert written == [tmp_path / "r.json"]
    assert json.loads((tmp_path / "r.json").read_text())["results"]
    assert not list(tmp_path.glob(".*.tmp"))
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        plan_outputs(["json", "md"], tmp_path / "afile")


def test_validate_library_checks_checkmaps(tmp_path: Path) -> None:
    checks, errors = validate_library([])
    assert checks and errors == []
    site = tmp_path / "site" / "mlps2" / "checkmap"
    site.mkdir(parents=True)
    (site / "l3.yaml").write_text("level: 3\nmap:\n  L3-CES1-01: [gone.check.id]\n")
    _, errors = validate_library([], policies_dirs=[str(tmp_path / "site")])
    assert len(errors) == 1 and "mapped check 'gone.check.id' does not exist" in str(errors[0])
    assert errors[0].line == 3
