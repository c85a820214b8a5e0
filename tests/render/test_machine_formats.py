"""JSON, SARIF, OSCAL and JUnit: valid against their schemas, and saying the right things."""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from pathlib import Path

import pytest
from render_sample import build_sample, unscored

from cityguard import render
from cityguard.model.serialize import assessment_from_dict

SCHEMA = Path(__file__).resolve().parents[2] / "src" / "cityguard" / "schemas" / \
    "assessment.schema.json"


def _doc(a, name: str, lang: str = "zh") -> dict:
    return json.loads(render.render_bytes(a, name, lang=lang))


# --- JSON ------------------------------------------------------------------------------------


def _assessment_validator():
    from output_schemas import validator

    return validator(SCHEMA.name)


@pytest.mark.parametrize("variant", ["scored", "unscored"])
def test_json_validates_against_the_published_schema(variant):
    a = build_sample() if variant == "scored" else unscored(build_sample())
    errors = list(_assessment_validator().iter_errors(_doc(a, "json")))
    assert errors == []


def test_json_round_trips(sample):
    first = render.render_bytes(sample, "json")
    again = render.render_bytes(assessment_from_dict(json.loads(first)), "json")
    assert first == again
    assert render.render_bytes(sample, "json", lang="en") == first  # language-neutral


def test_json_schema_rejects_a_broken_document(sample):
    doc = _doc(sample, "json")
    doc["results"][0]["status"] = "passed"
    del doc["run_id"]
    assert len(list(_assessment_validator().iter_errors(doc))) >= 2


# --- SARIF -----------------------------------------------------------------------------------


def test_sarif_is_valid_sarif_2_1_0(sample, reference_schemas):
    from jsonschema import Draft4Validator, FormatChecker

    schema = json.loads((reference_schemas / "sarif-schema-2.1.0.json").read_text())
    Draft4Validator.check_schema(schema)
    for a in (sample, unscored(sample)):
        errors = [e.message for e in
                  Draft4Validator(schema, format_checker=FormatChecker()).iter_errors(
                      _doc(a, "sarif"))]
        assert errors == []


def test_sarif_results_levels_locations_and_suppressions(sample):
    run = _doc(sample, "sarif")["runs"][0]
    results, rules = run["results"], run["tool"]["driver"]["rules"]
    fails = [r for r in sample.results if r.status.value == "fail"]
    manual = [r for r in sample.results if r.status.value == "manual"]
    check_results = [r for r in results if "cityguardCheck/v1" in r["partialFingerprints"]]
    assert len(check_results) == len(fails) + len(manual)
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    by_key = {r["partialFingerprints"].get("cityguardCheck/v1"): r for r in check_results}
    crit = next(r for r in fails if r.severity.value == "critical")
    got = by_key[f"{crit.asset}/{crit.check_id}"]
    assert (got["kind"], got["level"]) == ("fail", "error")
    phys = got["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "etc/ssh/sshd_config"  # under the host's root
    assert run["originalUriBaseIds"][phys["artifactLocation"]["uriBaseId"]]["uri"] == \
        "file://10.0.0.11/"
    assert phys["region"]["startLine"] == 32
    review = by_key[f"{manual[0].asset}/{manual[0].check_id}"]
    assert (review["kind"], review["level"]) == ("review", "none")
    waived = [r for r in check_results if r.get("suppressions")]
    assert len(waived) == sum(1 for r in fails if r.waived) > 0
    # errors are notifications, not results
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == sum(1 for r in sample.results if r.status.value == "error")
    # findings: fixed ones left out, accepted / false positives suppressed, CVSS as severity
    finding_results = [r for r in results if "cityguardFinding/v1" in r["partialFingerprints"]]
    assert len(finding_results) == sum(1 for f in sample.findings if f.status != "fixed")
    suppressed = [r for r in finding_results if r.get("suppressions")]
    assert {r["properties"]["status"] for r in suppressed} == {"accepted", "false_positive"}
    web = next(r for r in finding_results if r["properties"]["asset"].startswith("https://"))
    assert web["properties"]["url"].startswith("https://portal.city.example/login")
    assert "://" not in web["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert all(r["level"] == "note" for r in results if r.get("suppressions"))
    rule = rules[finding_results[0]["ruleIndex"]]
    assert float(rule["properties"]["security-severity"]) >= 0


# --- OSCAL -----------------------------------------------------------------------------------


@functools.cache
def _oscal_validator(path: str):
    """The recipe of shared/reference/schemas/README.md: ECMAScript patterns via regress."""
    import regress
    from jsonschema import Draft7Validator, FormatChecker, validators
    from jsonschema.exceptions import ValidationError

    @functools.cache
    def ecma(p: str):
        return regress.Regex(p, "u")

    def pattern(validator, patrn, instance, schema):
        if validator.is_type(instance, "string") and ecma(patrn).find(instance) is None:
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    cls = validators.extend(Draft7Validator, {"pattern": pattern})
    schema = json.loads(Path(path).read_text())
    meta = FormatChecker()
    meta.checks("regex", raises=regress.RegressError)(
        lambda s: not isinstance(s, str) or bool(ecma(s)))
    cls.check_schema(schema, format_checker=meta)
    return cls(schema, format_checker=FormatChecker())


@pytest.mark.parametrize("schema_file", ["oscal_assessment-results_schema.json",
                                         "oscal_assessment-results_schema-v1.1.2.json"])
def test_oscal_validates_against_the_nist_schema(sample, reference_schemas, schema_file):
    v = _oscal_validator(str(reference_schemas / schema_file))
    for a in (sample, unscored(sample)):
        errors = [f"{list(e.path)}: {e.message[:200]}" for e in v.iter_errors(_doc(a, "oscal"))]
        assert errors == []
    broken = _doc(sample, "oscal")
    broken["assessment-results"]["uuid"] = "not-a-uuid"
    broken["assessment-results"]["results"][0]["bogus"] = "not in the model"
    assert len(list(v.iter_errors(broken))) >= 2  # the validator does reject


def test_oscal_only_compliant_items_are_satisfied(sample):
    result = _doc(sample, "oscal")["assessment-results"]["results"][0]
    states = {f["target"]["target-id"]: f["target"]["status"] for f in result["findings"]
              if f["props"][0]["name"] == "verdict"}
    verdicts = {i.unit_id: i.verdict for i in sample.items}
    assert set(states) == {u for u, v in verdicts.items() if v != "not_applicable"}
    for unit, status in states.items():
        assert (status["state"] == "satisfied") == (verdicts[unit] == "compliant"), unit
        if verdicts[unit] == "not_assessed":
            assert status["reason"] == "other"
    excluded = result["reviewed-controls"]["control-selections"][0]["exclude-controls"]
    assert [c["control-id"] for c in excluded] == ["L3-PES1-09"]
    assert len(result["risks"]) == len(sample.risks)
    facets = {f["name"] for f in result["risks"][0]["characterizations"][0]["facets"]}
    assert {"likelihood", "impact", "risk", "risk-level"} <= facets


def test_oscal_uuids_are_stable_and_version_5(sample):
    first, again = _doc(sample, "oscal"), _doc(build_sample(), "oscal")
    assert first == again
    assert first["assessment-results"]["uuid"][14] == "5"
    other = _doc(replace(sample, run_id="another-run"), "oscal")
    assert other["assessment-results"]["uuid"] != first["assessment-results"]["uuid"]


# --- JUnit -----------------------------------------------------------------------------------


def test_junit_is_valid_junit_xml(sample, reference_schemas):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    xsd = etree.XMLSchema(etree.parse(str(reference_schemas / "junit.xsd"), parser))
    for a in (sample, unscored(sample)):
        doc = etree.fromstring(render.render_bytes(a, "junit"), parser)
        assert doc.tag == "testsuites"
        assert xsd.validate(doc), xsd.error_log


def test_junit_one_case_per_check_and_asset(sample):
    from defusedxml import ElementTree as DET

    root = DET.fromstring(render.render_bytes(sample, "junit", lang="en"))
    checks = [s for s in root.findall("./testsuite")
              if s.get("name") not in ("cityguard.findings", "cityguard.high_risks")]
    cases = [c for s in checks for c in s.findall("testcase")]
    assert len(cases) == len(sample.results)
    assert {(c.get("classname"), c.get("name")) for c in cases} == {
        (f"cityguard.{r.asset}", r.check_id) for r in sample.results}
    fails = [r for r in sample.results if r.status.value == "fail" and not r.waived]
    assert len(fails) == sum(len(s.findall(".//failure")) for s in checks)
    assert int(root.get("errors")) == sum(1 for r in sample.results if r.status.value == "error")
    skipped = [x for s in checks for x in s.findall(".//skipped")]
    assert {s.get("type") for s in skipped} == {"manual", "not_applicable", "waived"}
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    # findings at or above the default threshold (high) and the high-risk issues: own suites
    high = [f for f in sample.findings if f.severity.rank >= 3 and f.status != "fixed"]
    assert len(suites["cityguard.findings"].findall("testcase")) == len(high)
    assert int(suites["cityguard.findings"].get("failures")) == sum(
        1 for f in high if f.status in ("open", "reopened"))
    risks = suites["cityguard.high_risks"]
    assert int(risks.get("failures")) == sum(1 for h in sample.high_risks if h.status == "open")
    assert {x.get("type") for x in risks.findall(".//skipped")} == {
        h.status for h in sample.high_risks if h.status != "open"}
    failure = root.find(".//failure")
    assert "/etc/" in failure.text and "remediation: Fix:" in failure.text
    suite = root.find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.findall("./properties/property")}
    assert props["cityguard.conclusion"] == "non_compliant"


def test_junit_drops_characters_xml_cannot_hold(sample):
    from defusedxml import ElementTree as DET

    r = replace(sample.results[1], reason="bell\x07 and null\x00", title_en="esc\x1b[31m")
    a = replace(sample, results=[r])
    root = DET.fromstring(render.render_bytes(a, "junit", lang="en"))
    assert root.find(".//testcase") is not None
