from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
    parse_bytes,
    parse_unseekable,
)

from cityguard.model import Severity

FMT = "grype"


def test_match_fields() -> None:
    findings = parse(FMT, corpus_file("grype/check_all_fields.json"))
    f = one(findings, rule_id="CVE-2004-0971")
    assert (f.asset_kind, f.asset_key) == ("image", "vulnerable-image:latest")  # tag, not digest
    assert f.severity is Severity.INFO and f.severity_raw == "Negligible"
    assert f.location == "libgssapi-krb5-2@1.17-3+deb10u3 /var/lib/dpkg/status"
    assert f.cvss_score == 2.1  # from the related NVD record: the debian one has none
    assert f.tags == ("vuln",)  # a deb package: patching, not a dependency
    django = one(findings, rule_id="GHSA-v6rh-hp5x-86rv")
    assert django.tags == ("vuln", "dependency") and django.solution == "Upgrade Django to 3.2.10"


def test_source_after_matches_and_severity_from_related() -> None:
    # grype 0.96 writes keys sorted: `source` comes after the big `matches` array
    findings = parse(FMT, corpus_file("grype/issue_9618.json"))
    assert {f.asset_key for f in findings} == {
        "quay.io/cloudservices/xjoin-kafka-connect-strimzi:latest"
    }
    f = one(findings, rule_id="CVE-2024-26308")  # no severity of its own: the GHSA's
    assert f.severity is Severity.HIGH and f.severity_raw == "High"
    assert f.last_seen == "2024-02-22T18:46:26Z"


def test_epss_kept() -> None:
    findings = parse(FMT, corpus_file("grype/many_vulns_with_epss_values.json"))
    assert all(f.extra.get("epss") for f in findings if f.cves)


def test_directory_source_and_empty_report(tmp_path: Path) -> None:
    report = {
        "matches": [
            {
                "vulnerability": {"id": "GHSA-aaaa-bbbb-cccc", "severity": "Medium"},
                "artifact": {"name": "lib", "version": "1.0", "type": "npm",
                             "locations": [{"path": "/app/package-lock.json"}]},
            }
        ],
        "source": {"type": "directory", "target": "/app"},
    }  # fmt: skip
    [f] = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    assert (f.asset_kind, f.asset_key) == ("repository", "/app")
    assert parse(FMT, corpus_file("grype/no_vuln.json")) == []


def test_a_stream_that_cannot_seek_gives_the_same_findings() -> None:
    path = corpus_file("grype/issue_9618.json")
    assert [f.fingerprint for f in parse_unseekable(FMT, path)] == [
        f.fingerprint for f in parse(FMT, path)
    ]
