"""KICS JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/kics/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import asset, parse, parse_bytes

from cityguard import ingest
from cityguard.model import Severity

FMT = "kics"


def test_results_of_one_query_on_one_line_stay_distinct() -> None:
    findings = parse(FMT, asset("kics/many_findings.json"))
    rbac = [f for f in findings if f.rule_id == "6b896afb-ca07-467a-b256-1a0077a1c08e"]
    assert len(rbac) == 4 and {f.location for f in rbac} == {
        "test/charts/example/templates/rbac.yaml:20"}
    assert len({f.fingerprint for f in rbac}) == 4
    assert all("contains value: '*'" in f.evidence for f in rbac)


def test_fields_severity_cwe_and_times() -> None:
    findings = parse(FMT, asset("kics/E2E_CLI_033_RESULT.json"))
    first = findings[0]
    assert first.cwes == ("CWE-778",) and first.extra["cloud_provider"] == "AWS"
    assert (first.first_seen, first.last_seen) == ("2025-07-25T11:13:45Z", "2025-07-25T11:14:26Z")
    assert first.solution.startswith("logging {")
    assert [f.severity for f in findings].count(Severity.INFO) == 1  # Resource Not Using Tags
    secret = parse(FMT, asset("kics/many_findings.json"))[0]
    assert "secret" in secret.tags and secret.severity is Severity.HIGH


def test_a_scan_that_read_no_file_is_a_gap(tmp_path: Path) -> None:
    report = json.loads(asset("kics/no_findings.json").read_text())
    report["files_scanned"] = report["files_parsed"] = 0
    path = tmp_path / "results.json"
    path.write_text(json.dumps(report))
    done = ingest.read_file(path)
    assert done.format == FMT and [g.kind for g in done.gaps] == ["nothing_scanned"]
    assert parse_bytes(FMT, asset("kics/no_findings.json").read_bytes(), tmp_path) == []
