from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    ASSETS,
    assert_detected,
    assert_well_formed,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "dependency_check_json"
# the corpus has no Dependency-Check JSON: hand-made samples in the shape of a 9.x report
REPORT = ASSETS / "dependency_check_json" / "dependency-check-report.json"
EMPTY = ASSETS / "dependency_check_json" / "dependency-check-empty.json"


def test_samples_are_detected_as_dependency_check_json() -> None:
    assert_detected(FMT, REPORT)
    assert_detected(FMT, EMPTY)


def test_findings_of_the_sample() -> None:
    findings = parse(FMT, REPORT)
    assert_well_formed(findings, FMT)
    # 5 vulnerabilities: CVE-2021-44228 from NVD and OSS Index is one finding, the suppressed
    # CVE-2021-44832 is skipped, commons-lang3 has none
    assert sorted(f.rule_id for f in findings) == [
        "CVE-2016-2183",
        "CVE-2021-44228",
        "CVE-2021-45046",
        "GHSA-35jh-r3h4-6jhm",
    ]
    log4shell = one(findings, rule_id="CVE-2021-44228")
    assert log4shell.asset_key == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    assert log4shell.location == "/srv/portal/WEB-INF/lib/log4j-core-2.14.1.jar"
    assert log4shell.severity is Severity.CRITICAL and log4shell.cvss_score == 10.0
    assert log4shell.cvss_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    assert set(log4shell.cwes) == {"CWE-20", "CWE-917", "CWE-502", "CWE-400"}
    assert "also at: /srv/batch/lib/log4j-core-2.14.1.jar" in log4shell.evidence
    assert "https://www.kb.cert.org/vuls/id/930724" in log4shell.references
    lodash = one(findings, rule_id="GHSA-35jh-r3h4-6jhm")
    assert lodash.asset_key == "pkg:npm/lodash@4.17.15" and lodash.severity is Severity.MEDIUM
    assert lodash.cves == () and lodash.cvss_score is None  # "moderate", unscored
    dll = one(findings, rule_id="CVE-2016-2183")
    assert dll.asset_key == "legacy-crypto.dll"  # no package id: the file name
    assert dll.severity is Severity.HIGH and dll.cvss_score == 5.0  # word beats the v2 band


def test_json_and_xml_reports_share_identities(tmp_path: Path) -> None:
    xml = tmp_path / "dc.xml"
    xml.write_text(
        '<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd">'
        "<dependencies><dependency><fileName>lodash:4.17.15</fileName><filePath>/srv/portal/"
        "frontend/package-lock.json?lodash</filePath><identifiers><package><id>pkg:npm/"
        "lodash@4.17.15</id></package></identifiers><vulnerabilities>"
        '<vulnerability source="NPM"><name>GHSA-35jh-r3h4-6jhm</name><severity>moderate'
        "</severity></vulnerability></vulnerabilities></dependency></dependencies></analysis>",
        encoding="utf-8",
    )
    (from_xml,) = parse("dependency_check", xml)
    from_json = one(parse(FMT, REPORT), rule_id="GHSA-35jh-r3h4-6jhm")
    assert from_xml.fingerprint == from_json.fingerprint


def test_empty_report_yields_nothing() -> None:
    assert parse(FMT, EMPTY) == []


def test_dependencies_key_absent_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "dc.json"
    path.write_text(json.dumps({"reportSchema": "1.1", "scanInfo": {"engineVersion": "9"}}))
    assert parse(FMT, path) == []
