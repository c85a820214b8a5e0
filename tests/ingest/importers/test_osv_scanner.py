"""OSV-Scanner JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/osv_scanner/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "osv_scanner"


def test_aliases_of_one_problem_are_one_finding() -> None:
    findings = parse(FMT, asset("osv_scanner/many_findings.json"))
    django = [f for f in findings if "django@3.2.4" in f.location]
    assert len(django) == 20  # 40 records (GHSA + PYSEC of each flaw), 20 groups
    f = one(findings, rule_id="GHSA-25mq-v84q-4j7r")
    assert f.cves == ("CVE-2022-31090",) and f.cwes == ("CWE-200", "CWE-212")
    assert f.severity is Severity.HIGH and f.tags == ("vuln", "dependency")
    assert f.solution.endswith("6.5.8, 7.4.5")


def test_a_malicious_package_is_critical_and_tagged() -> None:
    (f,) = parse(FMT, asset("osv_scanner/some_findings.json"))
    assert f.severity is Severity.CRITICAL and "malware" in f.tags and f.cwes == ("CWE-506",)


def test_one_record_in_two_lockfiles_stays_two_findings(tmp_path: Path) -> None:
    report = json.loads(asset("osv_scanner/some_findings.json").read_text())
    second = json.loads(json.dumps(report["results"][0]))
    second["source"]["path"] = "/tmp/other/yarn.lock"
    report["results"].append(second)
    findings = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    assert len({f.fingerprint for f in findings}) == 2


def test_wrong_shape_is_one_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        parse_bytes(FMT, b'{"results": [1, 2]}', tmp_path)
