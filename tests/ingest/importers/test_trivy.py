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

FMT = "trivy"


def test_schema_2_vulnerability_fields() -> None:
    findings = parse(FMT, corpus_file("trivy/scheme_2_many_vulns.json"))
    bz = one(findings, rule_id="CVE-2019-12900")
    assert (bz.asset_kind, bz.asset_key) == ("image", "teamdojo:latest")
    assert bz.severity is Severity.CRITICAL and bz.severity_raw == "CRITICAL"
    assert bz.location == "libbz2@1.0.6-r6"  # OS package: no target (its OS release) in it
    assert bz.tags == ("vuln",) and bz.cves == ("CVE-2019-12900",)
    # a language package is located by its path too, and is a dependency
    jar = [f for f in findings if f.rule_id == "CVE-2018-1324"][0]
    assert jar.location == "org.apache.commons:commons-compress@1.14 app/libs/commons-compress-1.14"
    assert jar.tags == ("vuln", "dependency")
    freetype = one(findings, rule_id="CVE-2020-15999")
    assert freetype.cvss_score == 6.5 and freetype.cwes == ("CWE-787",)  # nvd (severity source)
    assert freetype.solution == "Upgrade freetype to 2.9.1-r3"


def test_cvss_v4_comes_from_the_severity_source() -> None:
    findings = parse(FMT, corpus_file("trivy/cvssv4_severity_source.json"))
    f = one(findings, rule_id="CVE-2025-66614")
    assert f.cvss_score == 6.3 and f.cvss_vector.startswith("CVSS:4.0/")
    assert f.last_seen == "2026-02-24T07:07:53Z"
    assert f.extra["purl"] == "pkg:maven/org.apache.tomcat/tomcat-catalina@9.0.109"


def test_misconfigurations_and_secrets() -> None:
    findings = parse(FMT, corpus_file("trivy/misconfigurations_and_secrets.json"))
    mis = one(findings, rule_id="DS002")
    assert mis.tags == ("config",) and mis.location == "Dockerfile"
    assert mis.severity is Severity.HIGH and "USER" in mis.solution
    secrets = [f for f in findings if f.tags == ("secret",)]
    assert {f.location for f in secrets} == {"Dockerfile:24", "secret.txt:1"}
    assert all("*" in f.evidence for f in secrets)


def test_kubernetes_findings_belong_to_workloads() -> None:
    findings = parse(FMT, corpus_file("trivy/kubernetes.json"))
    assert {f.asset_kind for f in findings} == {"cloud"}
    keys = {f.asset_key for f in findings}
    assert all(k.startswith("arn:aws:eks:us-east-1:576036489467:cluster/") for k in keys)
    assert any(k.endswith("/default/Deployment/redis-leader") for k in keys)
    assert sum(f.tags == ("config",) for f in findings) == 10


def test_newer_k8s_resources_shape(tmp_path: Path) -> None:
    report = {
        "ClusterName": "prod",
        "Resources": [
            {
                "Namespace": "web",
                "Kind": "Deployment",
                "Name": "shop",
                "Results": [
                    {
                        "Target": "Deployment/shop",
                        "Class": "config",
                        "Misconfigurations": [
                            {"ID": "KSV001", "Title": "Privilege escalation", "Status": "FAIL",
                             "Severity": "MEDIUM"},
                            {"ID": "KSV003", "Title": "Drop ALL", "Status": "PASS",
                             "Severity": "LOW"},
                        ],
                    }
                ],
            }
        ],
    }  # fmt: skip
    findings = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    assert [(f.asset_key, f.rule_id) for f in findings] == [("prod/web/Deployment/shop", "KSV001")]


def test_empty_reports(tmp_path: Path) -> None:
    assert parse_bytes(FMT, b"null", tmp_path) == []  # legacy: nothing found
    assert parse_bytes(FMT, b'{"SchemaVersion": 2, "ArtifactName": "x", "Results": []}',
                       tmp_path) == []  # fmt: skip
    assert parse(FMT, corpus_file("trivy/scheme_2_no_vuln.json")) == []


def test_a_stream_that_cannot_seek_gives_the_same_findings() -> None:
    path = corpus_file("trivy/misconfigurations_and_secrets.json")
    assert [f.fingerprint for f in parse_unseekable(FMT, path)] == [
        f.fingerprint for f in parse(FMT, path)
    ]


def test_one_check_on_two_blocks_of_one_resource_is_two_findings(tmp_path: Path) -> None:
    """AVD-AWS-0124 on the two ingress blocks of one security group (lines 10 and 16), added
    to the real report in the shape Trivy 0.5x writes (CauseMetadata, AVDID)."""
    report = json.loads(corpus_file("trivy/misconfigurations_and_secrets.json").read_text())
    block = {"Type": "Terraform Security Check", "ID": "AVD-AWS-0124", "AVDID": "AVD-AWS-0124",
             "Title": "Security group rules should have a description", "Severity": "LOW",
             "Status": "FAIL", "Message": "Security group rule does not have a description."}
    report["Results"].append({"Target": "./infra/main.tf", "Class": "config", "Type": "terraform",
                              "Misconfigurations": [
        {**block, "CauseMetadata": {"Resource": "aws_security_group.portal", "StartLine": 10,
                                    "EndLine": 15}},
        {**block, "CauseMetadata": {"Resource": "aws_security_group.portal", "StartLine": 16,
                                    "EndLine": 21}}]})  # fmt: skip
    findings = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    rules = [f for f in findings if f.rule_id == "AVD-AWS-0124"]
    assert sorted(f.location for f in rules) == [
        "infra/main.tf:10-15 aws_security_group.portal",
        "infra/main.tf:16-21 aws_security_group.portal",
    ]
    assert len({f.fingerprint for f in rules}) == 2 and rules[0].extra["line"] == 10
