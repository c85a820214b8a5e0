"""`cityguard gate` as a real process: exit 0 pass / 1 blocked / 2 bad input, the table, and the
JSON, JUnit and SARIF documents of the gate's own rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from defusedxml import ElementTree

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "smart-city-portal" / "cityguard.yaml"
VARIANTS = REPO / "examples" / "variants"
TODAY = ["--today", "2025-09-01"]
OUTSIDE = "--allow-outside-paths"  # the variants reuse the example's files


def test_the_example_passes_with_exit_0_and_a_table(cityguard_proc):
    p = cityguard_proc("gate", "--stage", "deploy", "--manifest", str(EXAMPLE), *TODAY,
                       "--lang", "en")
    assert p.returncode == 0, p.stderr
    for rule in ("plan.grading_report", "build.code_audit", "deploy.security_test",
                 "deploy.findings", "waivers.not_expired"):
        assert rule in p.stdout
    assert "gate passed: 13 pass, 0 warn, 0 fail" in p.stderr


def test_a_blocked_gate_exits_1_and_says_what_to_do(cityguard_proc):
    variant = str(VARIANTS / "deploy.security_test" / "cityguard.yaml")
    p = cityguard_proc("gate", "--manifest", variant, *TODAY, OUTSIDE)
    assert p.returncode == 1, p.stderr
    assert "deploy.security_test" in p.stdout and "未通过" in p.stdout
    assert "门禁阻断" in p.stderr and "Traceback" not in p.stderr
    p = cityguard_proc("gate", "--manifest", variant, *TODAY, OUTSIDE, "--format", "json")
    assert p.returncode == 1
    rule = next(r for r in json.loads(p.stdout)["rules"] if r["state"] == "fail")
    assert rule["id"] == "deploy.security_test" and "open_high_risks 应为 0" in rule["message_zh"]
    assert "整改全部高风险问题" in rule["todo_zh"] and rule["units"] == ["L3-CMS1-25"]


def test_expired_waiver_blocks_and_is_listed(cityguard_proc):
    p = cityguard_proc("gate", "--manifest",
                       str(VARIANTS / "waivers.not_expired" / "cityguard.yaml"),
                       *TODAY, OUTSIDE, "--format", "json")
    assert p.returncode == 1
    doc = json.loads(p.stdout)
    waivers = next(r for r in doc["rules"] if r["id"] == "waivers.not_expired")
    assert waivers["state"] == "fail" and waivers["details"] == [
        "W1 (finding c65d0bbe9968570b on portal-image) expired 2025-08-15; approver 王建国"]
    assert doc["passed"] is False and doc["counts"]["fail"] == 2


def test_today_from_the_environment(cityguard_proc):
    # the same example judged in 2027: documents have gone stale, waiver W1 has expired
    p = cityguard_proc("gate", "--stage", "build", "--manifest", str(EXAMPLE), "--format", "json",
                       env={"CITYGUARD_TODAY": "2027-01-01"})
    assert p.returncode == 1
    failed = {r["id"] for r in json.loads(p.stdout)["rules"] if r["state"] == "fail"}
    assert failed == {"build.code_audit", "build.supervision", "waivers.not_expired"}


def test_junit_and_sarif_of_the_gate_rules(cityguard_proc, tmp_path):
    variant = VARIANTS / "deploy.acceptance_test" / "cityguard.yaml"
    p = cityguard_proc("gate", "--manifest", str(variant), *TODAY, OUTSIDE,
                       "--format", "junit,sarif,json", "--output", str(tmp_path / "out"),
                       "--lang", "en", cwd=REPO)
    assert p.returncode == 1, p.stderr
    assert "deploy.acceptance_test" in p.stdout  # the table still goes to the log
    root = ElementTree.fromstring((tmp_path / "out" / "gate.junit.xml").read_bytes())
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert root.get("failures") == "1" and len(cases) == int(suite.get("tests")) == 13
    failing = [c for c in cases if c.find("failure") is not None]
    assert len(failing) == 1 and failing[0].get("name").startswith("deploy.acceptance_test ")
    assert "after today" in failing[0].find("failure").get("message")
    sarif = json.loads((tmp_path / "out" / "gate.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert len(run["tool"]["driver"]["rules"]) == 13
    (result,) = run["results"]
    assert result["ruleId"] == "deploy.acceptance_test" and result["level"] == "error"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == \
        "examples/variants/deploy.acceptance_test/cityguard.yaml"
    assert variant.read_text().splitlines()[loc["region"]["startLine"] - 1].lstrip() \
        .startswith("- {type: acceptance_test")
    doc = json.loads((tmp_path / "out" / "gate.json").read_text())
    assert doc["stage"] == "deploy" and doc["today"] == "2025-09-01"


def test_one_format_to_one_file(cityguard_proc, tmp_path):
    out = tmp_path / "gate.sarif"
    p = cityguard_proc("gate", "--stage", "plan", "--manifest", str(EXAMPLE), *TODAY,
                       "--format", "sarif", "--output", str(out))
    assert p.returncode == 0
    assert json.loads(out.read_text())["runs"][0]["results"] == []


def test_baseline_from_the_store(cityguard_proc, tmp_path):
    store = str(tmp_path / "runs.db")
    first = cityguard_proc("gate", "--manifest", str(EXAMPLE), *TODAY, "--store", store,
                           "--format", "json")
    assert first.returncode == 0, first.stderr
    base_id = json.loads(first.stdout)["run_id"]
    variant = str(VARIANTS / "deploy.findings" / "cityguard.yaml")
    assert cityguard_proc("gate", "--manifest", variant, *TODAY, OUTSIDE).returncode == 1
    # the variant's own run goes into the same store; the baseline is still the example's
    p = cityguard_proc("gate", "--manifest", variant, *TODAY, OUTSIDE, "--baseline", "latest",
                       "--store", store, "--format", "json")
    assert p.returncode == 0, p.stdout
    doc = json.loads(p.stdout)
    assert doc["baseline_run_id"] == base_id != doc["run_id"]
    p = cityguard_proc("gate", "--manifest", variant, *TODAY, OUTSIDE, "--baseline", doc["run_id"],
                       "--store", store)
    assert p.returncode == 0  # by run id
    # judging a stored run instead of running the assessment again
    p = cityguard_proc("gate", "--manifest", str(EXAMPLE), *TODAY, "--assessment", "latest",
                       "--store", store)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize(("args", "words"), [
    (["--stage", "launch"], "--stage must be one of"),
    (["--min-conclusion", "良好"], "--min-conclusion must be"),
    (["--fail-on", "severe"], "--fail-on must be one of"),
    (["--format", "pdf"], "--format must be one of"),
    (["--format", "json,sarif"], "several formats need --output DIR"),
    (["--today", "someday"], "today must be YYYY-MM-DD"),
    (["--baseline", "nope.json"], "file not found"),
    (["--baseline", "0123abcd"], "no stored run"),
])
def test_bad_input_exits_2_with_one_line(cityguard_proc, tmp_path, args, words):
    p = cityguard_proc("gate", "--manifest", str(EXAMPLE), "--stage", "plan", *args,
                       "--store", str(tmp_path / "s.db"), cwd=tmp_path)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert words in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_an_invalid_or_missing_manifest_exits_2(cityguard_proc, tmp_path):
    p = cityguard_proc("gate", "--stage", "deploy", cwd=tmp_path)
    assert p.returncode == 2 and "cityguard.yaml: file not found" in p.stderr
    (tmp_path / "cityguard.yaml").write_text("name: x\nstage: deploy\nlevel: 9\n")
    p = cityguard_proc("gate", cwd=tmp_path)
    assert p.returncode == 2 and "cityguard.yaml:3" in p.stderr


def _commands(script: str) -> list[str]:
    """The cityguard command lines of a CI script (line continuations joined)."""
    text = script.replace("\\\n", " ")
    return [" ".join(line.split()) for line in text.splitlines()
            if line.strip().startswith("cityguard ")]


@pytest.mark.parametrize("ci", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_documented_pipelines_run_and_produce_what_they_publish(ci, tmp_path):
    """Run the cityguard steps of docs/ci/*.yml as written (their env, in a fresh directory)
    and check that every report they publish exists."""
    import os
    import subprocess
    import sys

    import yaml

    doc = yaml.safe_load((REPO / "docs" / "ci" / ci).read_text(encoding="utf-8"))
    if ci.startswith("github"):
        job = doc["jobs"]["gate"]
        env = dict(job["env"])
        script = "\n".join(s.get("run", "") for s in job["steps"])
        published = [s["with"].get(k) for s in job["steps"] if "with" in s
                     for k in ("sarif_file", "report_paths") if k in s["with"]]
    else:
        job = doc["cityguard-gate"]
        env = dict(job["variables"])
        script = "\n".join(job["script"])
        published = [job["artifacts"]["reports"]["junit"]]
    env["MANIFEST"] = str(REPO / env["MANIFEST"])  # the job runs at the repository root
    commands = _commands(script)
    assert any(c.startswith("cityguard gate ") for c in commands)
    bindir = Path(sys.executable).parent
    for command in commands:
        p = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                           env={**os.environ, **{k: str(v) for k, v in env.items()},
                                "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"},
                           timeout=300)
        assert p.returncode == 0, (command, p.stdout, p.stderr)
    assert published
    for path in published:
        assert (tmp_path / path).is_file(), path
    assert (tmp_path / "gate-report" / "gate.sarif").is_file()


SCHEMAS = REPO.parent / "shared" / "reference" / "schemas"


@pytest.fixture(scope="module")
def blocked_result():
    from cityguard.gate.run import GateRequest, run_gate

    variant = VARIANTS / "waivers.not_expired" / "cityguard.yaml"  # a failure
    result = run_gate(GateRequest(system=str(variant), today="2025-09-01",
                                  allow_outside_paths=True)).result
    expiring = run_gate(GateRequest(system=str(EXAMPLE), stage="plan",
                                    today="2025-10-15")).result  # and a warning
    assert {o.state for o in result.outcomes} == {"pass", "fail"}
    assert "warn" in {o.state for o in expiring.outcomes}
    return result, expiring


def test_gate_junit_is_valid_junit_xml(blocked_result):
    if not SCHEMAS.is_dir():
        pytest.skip(f"reference schemas not found at {SCHEMAS}")
    from lxml import etree

    from cityguard.cli._gate_view import render

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd"), parser))
    for result in blocked_result:
        for lang in ("zh", "en"):
            doc = etree.fromstring(render(result, "junit", lang), parser)
            assert xsd.validate(doc), xsd.error_log


def test_gate_sarif_is_valid_sarif_2_1_0(blocked_result):
    if not SCHEMAS.is_dir():
        pytest.skip(f"reference schemas not found at {SCHEMAS}")
    from jsonschema import Draft4Validator, FormatChecker

    from cityguard.cli._gate_view import render

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    for result in blocked_result:
        doc = json.loads(render(result, "sarif", "zh"))
        assert [e.message for e in validator.iter_errors(doc)] == []
        levels = {r["level"] for r in doc["runs"][0]["results"]}
        assert levels <= {"error", "warning"} and levels
