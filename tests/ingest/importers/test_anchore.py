from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    assert_truncated_fails,
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.model import Severity

FMT = "anchore"


def test_engine_report() -> None:
    findings = parse(FMT, corpus_file("anchore/many_vulns_2.4.1.json"))
    # imageFullTag comes after the vulnerabilities: still the asset
    assert {f.asset_key for f in findings} == {
        "registry1.dsop.io/ironbank-staging/cloudbees/core/agent:152299"
    }
    brotli = one(findings, rule_id="CVE-2020-8927")
    assert brotli.location == "brotli@1.0.6-2.el8 pkgdb" and brotli.tags == ("vuln",)
    assert brotli.cvss_score == 6.5 and brotli.severity is Severity.MEDIUM
    [single] = parse(FMT, corpus_file("anchore/one_vuln.json"))
    assert single.location == "libgnutls30@3.5.8-5+deb9u4"  # "None" path dropped
    assert single.asset_key.startswith("sha256:")


def test_security_evaluation_report() -> None:
    findings = parse(FMT, corpus_file("anchore/new_format_issue_11552.json"))
    assert {f.asset_key for f in findings} == {"docker.io/myimage:new"}
    f = one(
        findings,
        rule_id="CVE-2024-50379",
        location="tomcat-annotations-api-9.0.97 /aci/base/lib/tomcat-annotations-api-9.0.97.jar",
    )  # noqa: E501
    assert f.severity is Severity.CRITICAL and f.cvss_score == 9.8
    assert f.tags == ("vuln", "dependency") and "9.0.98" in f.solution
    assert (f.first_seen, f.last_seen) == ("2025-01-10T15:09:00Z", "2025-01-13T10:09:59Z")


def test_anchorectl_array() -> None:
    findings = parse(FMT, corpus_file("anchore/anchorectl_many_vulns.json"))
    apt = one(findings, rule_id="CVE-2011-3374")
    assert apt.severity is Severity.INFO and apt.severity_raw == "Negligible"
    assert apt.location == "apt@1.4.9"


def test_empty_and_truncated(tmp_path: Path) -> None:
    assert parse(FMT, corpus_file("anchore/no_vuln.json")) == []
    assert parse_bytes(FMT, b"[]", tmp_path) == []
    assert_truncated_fails(FMT, corpus_file("anchore/new_format_issue_11552.json"), tmp_path)
    assert_truncated_fails(FMT, corpus_file("anchore/anchorectl_many_vulns.json"), tmp_path)
