"""tfsec JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/tfsec/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import asset, parse, parse_bytes

from cityguard.model import Severity

FMT = "tfsec"


def test_one_module_line_per_instance_stays_distinct() -> None:
    findings = parse(FMT, asset("tfsec/many_findings_current.json"))
    egress = [f for f in findings if f.rule_id == "aws-vpc-no-public-egress-sgr"]
    assert len(egress) == 6 and all(f.extra["line"] == 72 for f in egress)
    assert len({f.extra["resource"] for f in egress}) == 6
    assert {f.severity for f in findings} == {
        Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW}


def test_legacy_words_passed_and_ignored(tmp_path: Path) -> None:
    legacy = parse(FMT, asset("tfsec/many_findings_legacy.json"))
    assert [f.severity_raw for f in legacy] == ["ERROR", "ERROR", "WARNING"]
    assert [f.severity for f in legacy][-1] is Severity.MEDIUM
    report = json.loads(asset("tfsec/many_findings_current.json").read_text())
    report["results"][0]["status"] = "ignored"
    report["results"][1]["status"] = "passed"
    findings = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    assert len(findings) == 18 and findings[0].status == "accepted"
