from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    assert_truncated_fails,
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.model import Severity

FMT = "bandit"


def test_result_fields() -> None:
    [f] = parse(FMT, corpus_file("bandit/one_vuln.json"))
    assert (f.asset_kind, f.asset_key, f.location) == ("repository", ".", "one/one.py:2")
    assert (f.rule_id, f.severity) == ("B101", Severity.LOW)
    assert f.severity_raw == "LOW (confidence HIGH)"
    assert f.last_seen == "2020-12-30T10:03:39Z"
    assert f.references == (
        "https://bandit.readthedocs.io/en/latest/plugins/b101_assert_used.html",
    )
    # Windows separators become '/': one repository scanned on two systems, one identity
    findings = parse(FMT, corpus_file("bandit/many_vulns.json"))
    sql = one(findings, location="dojo/management/commands/migrate_surveys.py:51")
    assert sql.rule_id == "B608" and sql.severity is Severity.MEDIUM


def test_newer_bandit_cwe_and_hardcoded_password(tmp_path: Path) -> None:
    report = {"errors": [], "generated_at": "2024-05-01T08:00:00Z", "metrics": {},
              "results": [{"code": "3 password = 'hunter2secret'\n", "filename": "app/settings.py",
                           "issue_confidence": "MEDIUM", "issue_severity": "LOW",
                           "issue_cwe": {"id": 259, "link": "https://cwe.mitre.org/data/definitions/259.html"},
                           "issue_text": "Possible hardcoded password: 'hunter2secret'",
                           "line_number": 3, "line_range": [3], "more_info": "https://x",
                           "test_id": "B105", "test_name": "hardcoded_password_string"}]}  # fmt: skip  # noqa: E501
    [f] = parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    assert f.cwes == ("CWE-259",) and f.tags == ("secret",)
    assert "hunter2secret" not in f.evidence


def test_empty_and_truncated(tmp_path: Path) -> None:
    assert parse(FMT, corpus_file("bandit/no_vuln.json")) == []
    assert_truncated_fails(FMT, corpus_file("bandit/dd.json"), tmp_path)
