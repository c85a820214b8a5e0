from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import (
    assert_truncated_fails,
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.core.errors import DataError
from cityguard.ingest import read_file
from cityguard.model import Severity

FMT = "npm_audit"


def test_an_npm_error_is_an_audit_that_did_not_run() -> None:
    """No finding (nothing marked fixed), a coverage gap with npm's own words."""
    imported = read_file(corpus_file("npm-audit/npm6_empty_with_error.json"))
    assert imported.findings == []
    [gap] = imported.gaps
    assert gap.kind == "scan_failed" and gap.fields["detail"].startswith("ENOAUDIT: ")


def test_npm6_fields() -> None:
    [growl] = parse(FMT, corpus_file("npm-audit/npm6_one_vuln.json"))
    assert (growl.asset_key, growl.location, growl.rule_id) == (".", "growl", "npm-146")
    assert growl.severity is Severity.CRITICAL and growl.cves == ("CVE-2017-16042",)
    assert growl.cwes == ("CWE-94",) and growl.tags == ("vuln", "dependency")
    assert "mocha-jenkins-reporter>mocha>growl" in growl.evidence
    findings = parse(FMT, corpus_file("npm-audit/npm6_multiple_cwes.json"))
    ansi = one(findings, location="ansi-html")
    assert ansi.rule_id == "GHSA-whgm-jr23-g3j9"  # the GHSA id, as npm 7 would name it
    assert ansi.cwes == ("CWE-400",)  # npm 6 wrote '["CWE-400"]' as a string
    assert ansi.cvss_score == 7.5 and ansi.severity is Severity.HIGH
    minimist = one(findings, location="minimist")
    assert minimist.evidence.count("minimist ") == 2  # both version ranges kept


def test_npm7_advisories_and_fix_path() -> None:
    findings = parse(FMT, corpus_file("npm-audit/npm7_many_vulns.json"))
    assert {f.location for f in findings} == {"debug", "semver", "undici"}
    debug = one(findings, location="debug")
    assert debug.rule_id == "GHSA-gxpj-cx7g-858c" and debug.severity is Severity.MEDIUM
    assert debug.solution == "Install vercel@32.3.0 (a semver-major change)"
    assert debug.cvss_score == 5.3 and debug.cwes == ("CWE-400",)


def test_bad_and_truncated_input(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not an npm audit report"):
        parse_bytes(FMT, b"[]", tmp_path)
    assert_truncated_fails(FMT, corpus_file("npm-audit/npm6_multiple_cwes.json"), tmp_path)
