from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import (
    asset,
    corpus_file,
    every_text,
    one,
    parse,
    parse_bytes,
    parse_unseekable,
)

from cityguard.core.errors import DataError
from cityguard.ingest import get_importer, read_file
from cityguard.model import Severity

FMT = "sarif"
# Gitleaks 7 lists a leak once per commit; the store counts the repeats as duplicates
NOT_UNIQUE = {"sarif/gitleaks_7.5.0.sarif"}


def test_a_run_without_tool_is_refused() -> None:
    path = corpus_file("sarif/checkov_openapi_results.sarif")  # results, but no runs[].tool
    with pytest.raises(DataError, match="no tool"):
        read_file(path)


def test_codeql_identity_uses_its_fingerprint_and_the_location_keeps_the_line(
    tmp_path: Path,
) -> None:
    findings = parse(FMT, corpus_file("sarif/codeQL-output.sarif"))
    f = [x for x in findings if x.rule_id == "py/empty-except"][0]
    assert f.tool == "sarif:codeql" and (f.asset_kind, f.asset_key) == ("repository", ".")
    assert f.location == "good/db_init.py:39" and f.extra["line"] == 39
    # primaryLocationLineHash is unique in the log: it is the identity, so the line may move
    moved = json.loads(corpus_file("sarif/codeQL-output.sarif").read_text())
    for result in moved["runs"][0]["results"]:
        for loc in result.get("locations", []):
            loc["physicalLocation"]["region"]["startLine"] += 3
    again = parse_bytes(FMT, json.dumps(moved).encode(), tmp_path, "moved.sarif")
    # (a hash repeated within one file is no identity: that result falls back to its line)
    kept = {x.fingerprint for x in again} & {x.fingerprint for x in findings}
    assert len(kept) == len(findings) - 1
    assert one(again, fingerprint=f.fingerprint).location == "good/db_init.py:42"
    assert f.severity is Severity.LOW and f.severity_raw == "note"  # rule default level
    assert f.cwes == ("CWE-390",)
    # CodeQL 2.5 gives no security-severity: the rules' default level decides
    levels = {(x.severity_raw, x.severity) for x in findings}
    assert levels == {("error", Severity.HIGH), ("warning", Severity.MEDIUM),
                      ("note", Severity.LOW)}  # fmt: skip


def test_semgrep_word_security_severity_and_results_before_tool() -> None:
    # Semgrep 1.69 writes `results` before `tool` and security-severity as a WORD
    findings = parse(FMT, corpus_file("sarif/issue_10191.sarif"))
    assert {f.tool for f in findings} == {"semgrep"}  # the family of semgrep's JSON too
    crit = [f for f in findings if f.severity is Severity.CRITICAL]
    assert crit and all(f.severity_raw == "security-severity CRITICAL" for f in crit)
    path_trav = [f for f in findings if f.cwes == ("CWE-22",)]
    assert path_trav and path_trav[0].title.startswith("Improper limitation of a pathname")


def test_grype_sarif_numeric_severity_and_cves() -> None:
    findings = parse(FMT, corpus_file("sarif/cxf-3.4.6.sarif"))
    f = one(findings, rule_id="CVE-2008-0732-geronimo-j2ee-management_1.1_spec")
    assert f.severity is Severity.LOW and f.severity_raw == "security-severity 2.1"
    assert f.cves == ("CVE-2008-0732",) and f.tags == ("vuln", "dependency")
    assert sum(f.severity is Severity.CRITICAL for f in findings) == 1


def test_suppressions_are_kept_but_not_open() -> None:
    findings = parse(FMT, corpus_file("sarif/suppression_test.sarif"))
    status = {f.rule_id: f.status for f in findings}
    assert status == {"TST0001": "accepted", "TST0002": "accepted", "TST0003": "accepted",
                      "TST0004": "open", "TST0005": "open"}  # fmt: skip
    assert one(findings, rule_id="TST0003").extra["suppression"]["kind"] == "inSource"
    assert one(findings, rule_id="TST0001").location == "C:/code/file1.c"  # file:/// stripped


def test_gitleaks_sarif_is_a_secret_with_no_secret_in_it() -> None:
    findings = parse(FMT, corpus_file("sarif/gitleaks_7.5.0.sarif"))
    assert {f.tool for f in findings} == {"sarif:gitleaks"}
    assert all(f.tags == ("secret",) and f.severity is Severity.HIGH for f in findings)
    # no ruleId in Gitleaks 7 SARIF: the message names the check
    assert {f.rule_id for f in findings} == {"AWS Access Key secret detected",
                                            "Asymmetric Private Key secret detected"}  # fmt: skip
    assert "AKIAIOSFODNN7EXAMPLE" not in every_text(findings)


def test_several_runs_each_keep_their_tool() -> None:
    findings = parse(FMT, asset("sarif/multi_run.sarif"))
    by_tool = {}
    for f in findings:
        by_tool.setdefault(f.tool, []).append(f)
    assert set(by_tool) == {"sarif:alpha", "sarif:beta"}
    alpha = by_tool["sarif:alpha"]
    # kind=pass and baselineState=absent are not problems
    assert sorted(f.location for f in alpha) == ["src/a b.py:7", "src/c.py:3", "tests/t.py:9"]
    first = one(alpha, location="src/a b.py:7")
    assert "uses eval on line 7" in first.evidence  # message arguments filled in
    assert first.severity is Severity.HIGH and first.cwes == ("CWE-95",)
    assert one(alpha, location="src/c.py:3").status == "open"  # one suppression under review
    waived = one(alpha, location="tests/t.py:9")
    assert waived.status == "accepted"
    assert waived.extra["suppression"]["justification"] == "test code"
    beta = by_tool["sarif:beta"]
    by_ruleidx = one(beta, evidence="/srv/app/h.py:12\nmd5 used")
    assert by_ruleidx.rule_id == "B1" and by_ruleidx.severity is Severity.CRITICAL  # 9.1
    assert by_ruleidx.location == "/srv/app/h.py:12"  # its fingerprint is the identity
    logical = one(beta, location="app.hashing.digest")
    assert logical.severity is Severity.HIGH  # the result's own security-severity word wins
    assert get_importer(FMT).sniff(asset("sarif/multi_run.sarif").read_bytes()) == 95


def test_a_second_run_without_tool_is_refused(tmp_path: Path) -> None:
    log = {"version": "2.1.0", "runs": [
        {"tool": {"driver": {"name": "one"}}, "results": []},
        {"results": [{"ruleId": "X", "message": {"text": "m"}}]},
    ]}  # fmt: skip
    with pytest.raises(DataError, match="run 2 has results but no tool"):
        parse_bytes(FMT, json.dumps(log).encode(), tmp_path, "x.sarif")


def test_empty_and_foreign_logs(tmp_path: Path) -> None:
    assert parse_bytes(FMT, b'{"version": "2.1.0", "runs": null}', tmp_path) == []
    with pytest.raises(DataError, match="no runs"):
        parse_bytes(FMT, b'{"version": "2.1.0"}', tmp_path)
    with pytest.raises(DataError, match="not a SARIF log"):
        parse_bytes(FMT, b"[1, 2]", tmp_path)


def test_a_stream_that_cannot_seek_gives_the_same_findings() -> None:
    for path in (corpus_file("sarif/issue_10191.sarif"), asset("sarif/multi_run.sarif")):
        assert [f.fingerprint for f in parse_unseekable(FMT, path)] == [
            f.fingerprint for f in parse(FMT, path)
        ]
