"""Clair (clair-scanner and klar JSON): what is particular to it (the shared tests run every
sample in tests/assets/ingest/clair/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "clair"


def test_clair_scanner_fields() -> None:
    findings = parse(FMT, asset("clair/clair_few_vuln.json"))
    f = one(findings, rule_id="CVE-2019-5094")
    assert f.solution == "Upgrade e2fsprogs to 1.44.1-1ubuntu1.2" and f.tags == ("vuln",)
    assert f.extra["namespace"] == "ubuntu:18.04" and f.asset_kind == "image"


def test_klar_severity_scale_and_advisory_cves() -> None:
    findings = parse(FMT, asset("clair/clairklar_mixed.json"))
    assert [f.severity for f in findings] == [Severity.CRITICAL, Severity.CRITICAL,
                                              Severity.HIGH, Severity.MEDIUM, Severity.LOW,
                                              Severity.INFO]  # fmt: skip
    assert findings[0].cves == ("CVE-2018-18311",)  # RHSA names its CVE in the text


def test_one_advisory_on_two_packages_is_two_findings() -> None:
    findings = parse(FMT, asset("clair/clairklar_high.json"))
    perl = [f for f in findings if f.rule_id == "RHSA-2019:0109"]
    assert len(perl) == len({f.location for f in perl}) > 1


@pytest.mark.parametrize("data", [b'{"LayerCount": 1, "Vulnerabilities": {"High": 3}}',
                                  b'{"image": "x", "unapproved": [], "vulnerabilities": [1]}'])
def test_wrong_shape_is_one_data_error(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError):
        parse_bytes(FMT, data, tmp_path)
