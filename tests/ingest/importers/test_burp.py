from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "burp"


def test_issue_fields() -> None:
    (f,) = parse(FMT, corpus_file("burp/one_finding_with_cwe.xml"))
    assert (f.asset_kind, f.asset_key) == ("url", "https://example.com")
    assert (f.rule_id, f.location) == ("7340288", "/test/v4/public/users/fake")
    assert f.severity is Severity.INFO and f.severity_raw == "Information (Certain)"
    assert f.cwes == ("CWE-524", "CWE-525") and f.tags == ("web",)
    assert f.description.startswith("Unless directed otherwise") and "<p>" not in f.description
    assert "Cache-control: no-store" in f.solution
    assert f.extra["ip"] == "54.12.18.21"


def test_extension_issues_are_told_apart_by_name() -> None:
    findings = parse(FMT, corpus_file("burp/issue4399.xml"))
    ext = [f for f in findings if f.rule_id.startswith("134217728:")]
    names = {f.rule_id.split(":", 1)[1] for f in ext}
    assert "[Vulners] Vulnerable Software detected" in names and len(names) > 3
    vulners = one(findings, rule_id="134217728:[Vulners] Vulnerable Software detected")
    assert "CVE-2018-19396" in vulners.cves and "vuln" in vulners.tags
    sqli = [f for f in findings if f.title == "SQL injection"]
    assert sqli and {f.severity for f in sqli} == {Severity.HIGH}
    assert all("[" in f.location for f in sqli)  # "/listproducts.php [cat parameter]"


def test_request_response_bodies_are_not_kept() -> None:
    findings = parse(FMT, corpus_file("burp/issue4399.xml"))
    assert max(len(f.evidence) + len(f.description) for f in findings) < 20_000


def test_export_without_issues_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text('<?xml version="1.0"?><issues burpVersion="2023.1" exportTime="x"></issues>')
    assert parse(FMT, path) == []
