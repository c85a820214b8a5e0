"""SARIF that GitHub code scanning accepts, checked with Microsoft's validator on real runs:
the example system, and this host with imported CodeQL SARIF, nmap, OpenVAS and ZAP files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sarif_multitool import problems

SARIF_NAME = "assessment.sarif"


def _run(out: Path) -> dict:
    return json.loads((out / SARIF_NAME).read_text(encoding="utf-8"))["runs"][0]


@pytest.mark.parametrize("rule_kind", ["Gh", "Sarif"])
@pytest.mark.parametrize("which", ["example_outputs", "host_outputs"])
def test_the_validator_reports_nothing(request, which, rule_kind, tmp_path):
    out = request.getfixturevalue(which)
    assert problems(out / SARIF_NAME, rule_kind, tmp_path) == []


def test_the_validator_does_report_what_github_refuses(host_outputs, tmp_path):
    run = _run(host_outputs)
    rule = run["tool"]["driver"]["rules"][0]
    rule.pop("fullDescription")
    rule["name"] = rule["id"]
    run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] = {
        "uri": "/etc/shadow", "uriBaseId": "ROOT_X"}
    bad = tmp_path / "bad.sarif"
    bad.write_text(json.dumps({"version": "2.1.0", "runs": [run]}), encoding="utf-8")
    found = " ".join(problems(bad, "Gh", tmp_path) + problems(bad, "Sarif", tmp_path))
    assert "GH2012" in found and "SARIF1001" in found and "SARIF1004" in found


@pytest.mark.parametrize("which", ["example_outputs", "host_outputs"])
def test_every_result_has_a_relative_physical_location(request, which):
    run = _run(request.getfixturevalue(which))
    bases = run.get("originalUriBaseIds", {})
    assert run["results"]
    for res in run["results"]:
        (loc,) = res["locations"]
        art = loc["physicalLocation"]["artifactLocation"]
        assert not art["uri"].startswith("/") and "://" not in art["uri"], art
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
        if "uriBaseId" in art:
            assert bases[art["uriBaseId"]]["uri"].startswith("file://")
            assert bases[art["uriBaseId"]]["uri"].endswith("/")
    for rule in run["tool"]["driver"]["rules"]:
        assert len(rule["properties"]["tags"]) <= 10
        assert rule["fullDescription"]["text"] and rule["name"] != rule["id"]


def test_host_checks_point_at_the_file_they_read(host_outputs):
    doc = json.loads((host_outputs / "assessment.json").read_text(encoding="utf-8"))
    run = _run(host_outputs)
    with_file = {(r["asset"], r["check_id"]): e for r in doc["results"]
                 if r["status"] == "fail" for e in r["evidence"][:1] if e.get("file")}
    checked = 0
    for res in run["results"]:
        key = res["partialFingerprints"].get("cityguardCheck/v1", "").split("/", 1)
        evidence = with_file.get(tuple(key))
        if evidence is None:
            continue
        phys = res["locations"][0]["physicalLocation"]
        assert "/" + phys["artifactLocation"]["uri"] == evidence["file"]
        assert run["originalUriBaseIds"][phys["artifactLocation"]["uriBaseId"]]["uri"] == \
            "file:///"
        checked += 1
    assert checked >= 1


def test_imported_codeql_results_keep_their_path_and_line(host_outputs, corpus):
    source = json.loads((corpus / "sarif" / "codeQL-output.sarif").read_text(encoding="utf-8"))
    original = {(loc["physicalLocation"]["artifactLocation"]["uri"],
                 loc["physicalLocation"]["region"]["startLine"])
                for r in source["runs"][0]["results"] for loc in r["locations"][:1]}
    ours = {(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             res["locations"][0]["physicalLocation"]["region"]["startLine"])
            for res in _run(host_outputs)["results"]
            if res["properties"].get("tool") == "sarif:codeql"}
    assert ours and ours <= original
    assert ("good/db_init.py", 39) in original


def test_web_and_network_findings_point_at_their_scan_file(host_outputs):
    run = _run(host_outputs)
    web = [r for r in run["results"] if r["properties"].get("tool") == "zap"]
    net = [r for r in run["results"] if r["properties"].get("tool") in ("nmap", "openvas")]
    assert web and net
    for res in web:
        assert res["properties"]["url"].startswith("http")
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
            "zap_2.16.1_with_req_resp.xml"
    assert all(":" in r["properties"]["endpoint"] for r in net if "endpoint" in r["properties"])


def test_checks_that_read_no_file_point_at_the_manifest_line(example_outputs):
    run = _run(example_outputs)
    lines = (Path(__file__).resolve().parents[2] / "examples" / "smart-city-portal" /
             "cityguard.yaml").read_text(encoding="utf-8").splitlines()
    manifest = [r for r in run["results"] if r["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"] == "cityguard.yaml"]
    assert manifest
    for res in manifest:
        line = res["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert f"id: {res['properties']['asset']}" in lines[line - 1]


def test_waived_and_accepted_results_stay_suppressed_at_note_level(example_outputs):
    run = _run(example_outputs)
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed
    for res in suppressed:
        assert res["suppressions"][0]["status"] == "accepted"
        assert res["level"] == "note" and res["properties"]["level_if_open"] in (
            "error", "warning", "note")
    assert not any(r["level"] == "error" for r in run["results"] if r.get("suppressions"))
