"""Semgrep JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/semgrep/samples.yaml, including the JSON/SARIF pair of one run)."""

from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import asset, every_text, one, parse, parse_bytes

from cityguard import ingest
from cityguard.model import Severity

FMT = "semgrep"


def test_severity_words_old_and_new() -> None:
    old = parse(FMT, asset("semgrep/many_vulns.json"))
    assert {f.severity_raw: f.severity for f in old} == {
        "ERROR": Severity.HIGH, "WARNING": Severity.MEDIUM}
    assert parse(FMT, asset("semgrep/cwe_list.json"))[0].severity is Severity.LOW  # INFO
    new = parse(FMT, asset("semgrep/high-medium-low-severities.json"))  # the newer words
    assert [(f.severity_raw, f.severity) for f in new] == [("LOW", Severity.LOW)] * 3


def test_secret_rule_is_tagged_and_its_match_redacted(tmp_path: Path) -> None:
    [f] = parse(FMT, asset("semgrep/issue_8435.json"))
    assert f.tags == ("secret",) and f.cwes == ("CWE-798",)
    report = json.loads(asset("semgrep/issue_8435.json").read_text())
    report["results"][0]["extra"]["lines"] = 'password = "Zq8-marker-hunter2"'
    [f] = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    assert "Zq8-marker-hunter2" not in every_text([f])


def test_placeholder_fingerprints_never_merge_results() -> None:
    findings = parse(FMT, asset("semgrep/fingerprint_test.json"))
    assert len({f.fingerprint for f in findings}) == 2
    assert one(findings, location="sample/brute.py:31").extra["line"] == 31


def test_ignored_results_and_a_run_that_scanned_nothing(tmp_path: Path) -> None:
    report = json.loads(asset("semgrep/one_finding.json").read_text())
    report["results"][0]["extra"]["is_ignored"] = True
    [f] = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    assert f.status == "accepted" and f.extra["suppression"]["kind"] == "nosemgrep"
    nothing = {"version": "1.187.0", "results": [], "errors": [{"type": "MissingPlugin"}],
               "paths": {"scanned": []}}  # fmt: skip
    path = tmp_path / "nothing.json"
    path.write_text(json.dumps(nothing))
    done = ingest.read_file(path, FMT)
    assert done.findings == [] and [g.kind for g in done.gaps] == ["nothing_scanned"]
