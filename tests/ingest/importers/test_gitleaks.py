from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import (
    assert_truncated_fails,
    corpus_file,
    every_text,
    one,
    parse,
    parse_bytes,
)
from samples import samples_of

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "gitleaks"
SECRETS = ("secretAWSsecret", "dfjksdjfs3294dfjlsdaf213", "AKIAIOSFODNN7EXAMPLE", "john.doe@")


def test_v8_leaks_merge_commits_and_store_no_secret() -> None:
    findings = parse(FMT, corpus_file("gitleaks/gitleaks8_many.json"))
    aws = one(findings, rule_id="aws-access-token")
    assert (aws.asset_kind, aws.asset_key, aws.location) == ("repository", ".", "/conf/aws.tf:2")
    assert aws.severity is Severity.HIGH and aws.tags == ("secret",)
    assert aws.extra["commits"] == 2 and aws.evidence.count("(Firstname Lastname") == 2
    api = one(findings, rule_id="generic-api-key")
    assert api.evidence.startswith('apikey = "***"')  # no prefix of the secret is kept
    for sample in samples_of(FMT):
        text = every_text(parse(FMT, corpus_file(sample.corpus_rel)))
        assert not any(s in text for s in SECRETS), sample.id


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
