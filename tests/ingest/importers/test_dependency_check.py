from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "dependency_check"


def test_schema_2_5_fields() -> None:
    findings = parse(FMT, corpus_file("dependency-check/PR6439.xml"))
    f = one(findings, rule_id="CVE-2020-15522")
    assert f.asset_kind == "package"
    assert f.asset_key == "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.64"
    assert f.location.endswith("/bcprov-jdk15on-1.64.jar")
    assert f.severity is Severity.MEDIUM and f.cvss_score == 5.9
    assert f.cvss_vector == "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"
    assert f.cves == ("CVE-2020-15522",) and f.cwes == ("CWE-362",)
    assert f.tags == ("dependency", "vuln") and f.extra["source"] == "NVD"
    assert all(x.asset_key.startswith("pkg:maven/") for x in findings)


def test_related_dependencies_are_named_in_the_evidence() -> None:
    findings = parse(FMT, corpus_file("dependency-check/PR6439.xml"))
    osgi = one(findings, rule_id="CVE-2021-41033")
    assert osgi.asset_key == "pkg:maven/org.eclipse.platform/org.eclipse.osgi@3.18.0"
    assert "\nalso at: /var/" in osgi.evidence


def test_schema_1_3_severity_word_and_identifier() -> None:
    (f,) = parse(FMT, corpus_file("dependency-check/single_vuln.xml"))
    assert f.asset_key == "maven:org.owasp:library:6.7.8" and f.rule_id == "CVE-0000-0001"
    assert f.severity is Severity.MEDIUM and f.severity_raw == "Moderate"  # moderate → medium
    assert f.cvss_score == 7.5 and f.cwes == ()  # "CWE-00 Bad Vulnerability" is no CWE


def test_suppressed_vulnerabilities_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "dc.xml"
    path.write_text(
        '<?xml version="1.0"?><analysis xmlns="https://jeremylong.github.io/DependencyCheck/'
        'dependency-check.2.5.xsd"><dependencies><dependency><fileName>a.jar</fileName>'
        "<filePath>/lib/a.jar</filePath><identifiers><package><id>pkg:maven/x/a@1</id></package>"
        '</identifiers><vulnerabilities><vulnerability source="NVD"><name>CVE-2020-0001</name>'
        "<severity>HIGH</severity></vulnerability></vulnerabilities><suppressedVulnerabilities>"
        '<suppressedVulnerability source="NVD"><name>CVE-2020-0002</name><severity>HIGH'
        "</severity></suppressedVulnerability></suppressedVulnerabilities></dependency>"
        "</dependencies></analysis>",
        encoding="utf-8",
    )
    (f,) = parse(FMT, path)
    assert (f.rule_id, f.asset_key) == ("CVE-2020-0001", "pkg:maven/x/a@1")
    assert f.location == "/lib/a.jar"
    assert f.severity is Severity.HIGH
