from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_counts import BY_FORMAT
from importer_helpers import (
    assert_folder_claimed,
    assert_truncated_fails,
    check_counts,
    corpus_file,
    every_text,
    one,
    parse,
    parse_bytes,
)

from cityguard.core.errors import DataError
from cityguard.ingest import detect
from cityguard.model import Severity

FMT = "gitleaks"
COUNTS = BY_FORMAT[FMT]
SECRETS = ("secretAWSsecret", "dfjksdjfs3294dfjlsdaf213", "AKIAIOSFODNN7EXAMPLE", "john.doe@")


def test_counts_match_the_manifest_or_say_why() -> None:
    check_counts(FMT, COUNTS)


def test_every_gitleaks_corpus_file_is_counted_and_detected() -> None:
    null = "gitleaks/no_findings.json"  # `null` names no format: imported as an empty report
    assert_folder_claimed(FMT, "gitleaks", set(COUNTS) - {null})
    # a report that names no format imports as an empty report (zero findings, a warning)
    assert detect(corpus_file(null)).name == "empty"


def test_v8_leaks_merge_commits_and_store_no_secret() -> None:
    findings = parse(FMT, corpus_file("gitleaks/gitleaks8_many.json"))
    aws = one(findings, rule_id="aws-access-token")
    assert (aws.asset_kind, aws.asset_key, aws.location) == ("repository", ".", "/conf/aws.tf:2")
    assert aws.severity is Severity.HIGH and aws.tags == ("secret",)
    assert aws.extra["commits"] == 2 and aws.evidence.count("(Firstname Lastname") == 2
    api = one(findings, rule_id="generic-api-key")
    assert api.evidence.startswith('apikey = "***"')  # no prefix of the secret is kept
    for rel in COUNTS:
        text = every_text(parse(FMT, corpus_file(rel)))
        assert not any(s in text for s in SECRETS), rel


def test_v7_and_older() -> None:
    [key] = parse(FMT, corpus_file("gitleaks/data_one.json"))
    assert (key.rule_id, key.location) == ("Asymmetric Private Key", "cert-key.pem")
    assert key.evidence.startswith("***")
    findings = parse(FMT, corpus_file("gitleaks/version_7.5.0.json"))
    assert {f.location.rsplit(":", 1)[1] for f in findings} == {"13", "44", "37"}


def test_a_named_repository_is_the_asset(tmp_path: Path) -> None:
    leak = {"rule": "Slack token", "file": "a.py", "lineNumber": 1, "offender": "xoxb-1",
            "line": "t = 'xoxb-1'", "repo": "billing", "commit": "abc"}  # fmt: skip
    [f] = parse_bytes(FMT, json.dumps([leak]).encode(), tmp_path)
    assert f.asset_key == "billing" and "xoxb-1" not in f.evidence


def test_bad_and_truncated_input(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="expected a JSON array"):
        parse_bytes(FMT, b'{"a": 1}', tmp_path)
    assert parse_bytes(FMT, b"[]", tmp_path) == []
    assert_truncated_fails(FMT, corpus_file("gitleaks/version_7.5.0.json"), tmp_path)
