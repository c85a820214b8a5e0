from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.model import Severity

FMT = "wazuh"


def test_v47_items_take_the_agent_from_the_file_name(tmp_path: Path) -> None:
    data = corpus_file("wazuh/v4-7_one_finding.json").read_bytes()
    [f] = parse_bytes(FMT, data, tmp_path, "wazuh-agent-007.json")
    assert (f.asset_kind, f.asset_key) == ("host", "wazuh-agent-007")
    assert (f.rule_id, f.location) == ("CVE-1234-123123", "asdf@4.3.1")
    assert f.severity is Severity.MEDIUM and f.cvss_score == 5.5
    assert f.first_seen == "2023-02-08T13:55:10Z" and f.tags == ("vuln",)
    assert f.cves == ("CVE-1234-123123",)  # anonymised upstream, but CVE-shaped


def test_v47_unfixed_and_untriaged_are_kept() -> None:
    findings = parse(FMT, corpus_file("wazuh/v4-7_many_findings.json"))
    unfixed = [f for f in findings if f.description == "Package unfixed"]
    assert len(unfixed) == 6 and all(f.solution == "" for f in unfixed)
    untriaged = one(findings, rule_id="CVE-YYYY-jfjieo")
    assert untriaged.severity is Severity.INFO and untriaged.severity_raw == "Untriaged"


def test_v48_indexer_hits() -> None:
    findings = parse(FMT, corpus_file("wazuh/v4-8_many_findings.json"))
    assert {f.asset_key for f in findings} == {"myhost0", "myhost1"}
    f = one(findings, asset_key="myhost1", rule_id="CVE-2022-44640")
    assert f.severity is Severity.CRITICAL and f.cvss_score == 9.8
    assert f.cves == ("CVE-2022-44640",) and f.location.startswith("libheimbase1t64-heimdal@")
    # severity "-": the CVSS score rates it instead of calling it info
    [odd] = parse(FMT, corpus_file("wazuh/wazuh_abnormal_severity.json"))
    assert odd.severity_raw == "-" and odd.severity is Severity.CRITICAL


def test_empty_reports(tmp_path: Path) -> None:
    assert parse(FMT, corpus_file("wazuh/v4-7_no_findings.json")) == []
    empty_hits = {"hits": {"total": {"value": 0}, "hits": []}}
    assert parse_bytes(FMT, json.dumps(empty_hits).encode(), tmp_path) == []
