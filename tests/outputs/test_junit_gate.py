"""The assess JUnit fails where the gate fails: findings at or above --fail-on and open
high-risk issues are failing test cases of their own suites (real runs, real scanner files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from outputs_runs import CORPUS, assess

SUITES = ("cityguard.findings", "cityguard.high_risks")


def _parse(path: Path):
    from defusedxml import ElementTree as DET

    return DET.parse(str(path)).getroot()


def _valid(path: Path) -> None:
    from lxml import etree

    xsd_path = Path(__file__).resolve().parents[3] / "shared" / "reference" / "schemas" / \
        "junit.xsd"
    if not xsd_path.is_file():
        pytest.skip("shared/reference/schemas/junit.xsd is absent")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    xsd = etree.XMLSchema(etree.parse(str(xsd_path), parser))
    assert xsd.validate(etree.parse(str(path), parser)), xsd.error_log


def test_the_host_run_fails_on_its_open_findings(host_outputs):
    import json

    junit = host_outputs / "assessment.junit.xml"
    _valid(junit)
    root = _parse(junit)
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "cityguard.findings")
    doc = json.loads((host_outputs / "assessment.json").read_text(encoding="utf-8"))
    high = [f for f in doc["findings"] if f["severity"] in ("critical", "high")
            and f["status"] in ("open", "reopened")]
    assert high  # the OpenVAS file has high findings
    assert int(suite.get("failures")) == len(high) == len(suite.findall(".//failure"))
    props = {p.get("name"): p.get("value") for p in suite.findall("./properties/property")}
    assert props["cityguard.fail_on"] == "high"
    below = [f for f in doc["findings"] if f["severity"] not in ("critical", "high")
             and f["status"] in ("open", "reopened")]
    assert int(props["cityguard.findings_below_threshold"]) == len(below)
    assert int(root.get("failures")) >= len(high)


@pytest.mark.parametrize("fail_on", ["critical", "medium"])
def test_the_threshold_follows_fail_on_and_the_exit_code(tmp_path, corpus, fail_on):
    p = assess(tmp_path / "out", "--target", f"dir:{tmp_path}", "--only", "L3-CES1-01",
               "--scan", str(CORPUS / "openvas" / "many_vuln.xml"), "--no-store",
               "--format", "junit,json", "--fail-on", fail_on, cwd=tmp_path)
    root = _parse(tmp_path / "out" / "assessment.junit.xml")
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "cityguard.findings")
    failing = int(suite.get("failures"))
    assert (p.returncode == 1) == (failing > 0 or int(root.get("failures")) > 0)
    if fail_on == "medium":
        assert failing > 0 and p.returncode == 1
    ranks = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
    for case in suite.findall("testcase"):
        failure = case.find("failure")
        if failure is not None:
            assert ranks[failure.get("type")] >= ranks[fail_on]


def test_the_example_passes_the_gate_and_its_junit_has_no_failing_finding(example_outputs):
    junit = example_outputs / "assessment.junit.xml"
    _valid(junit)
    root = _parse(junit)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    findings = suites["cityguard.findings"]
    assert findings.get("failures") == "0"
    # the waived glibc CVE is there, skipped with its triage, not hidden
    skipped = findings.findall(".//skipped")
    assert any(s.get("type") == "accepted" for s in skipped)
    for case in suites.get("cityguard.high_risks", findings).findall("testcase"):
        assert case.find("failure") is None
