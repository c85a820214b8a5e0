"""TruffleHog JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/trufflehog/samples.yaml)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from importer_helpers import asset, every_text, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for

FMT = "trufflehog"


def _secrets(path: Path) -> set[str]:
    out: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if "Raw" in item:
            out.add(base64.b64decode(item["Raw"]).decode())
            out.add(item["Redacted"])
        out.update(item.get("stringsFound") or ())
    return {s for s in out if len(s) > 8}


@pytest.mark.parametrize("name", ["v3_git.json", "v3_github.json", "v2_many_vulns.json"])
def test_no_secret_reaches_a_finding(name: str) -> None:
    path = asset(f"trufflehog/{name}")
    text = every_text(parse(FMT, path))
    leaked = [s[:6] for s in _secrets(path) if s in text or s.splitlines()[0] in text]
    assert not leaked, f"secret material in findings: {leaked}"


def test_git_and_github_sources_of_one_repository_agree() -> None:
    git = parse(FMT, asset("trufflehog/v3_git.json"))
    github = parse(FMT, asset("trufflehog/v3_github.json"))
    assert {f.fingerprint for f in git} == {f.fingerprint for f in github}
    aws = one(git, rule_id="AWS")
    assert aws.extra["verified"] is True and aws.extra["committed"] == "2022-06-16T17:17:40Z"
    assert {"L3-CES1-01", "L3-CES1-28"} <= set(unit_ids_for(aws, 3))


def test_v2_folds_commits_of_one_leak() -> None:
    findings = parse(FMT, asset("trufflehog/v2_many_vulns.json"))
    rsa = one(findings, rule_id="RSA private key", location="truffleHog/regexChecks.py")
    assert rsa.extra["commits"] == 7 and rsa.evidence.count(";") == 6


@pytest.mark.parametrize("body", [b'{"SourceMetadata": {}, "DetectorName": "AWS"}\n[1]\n',
                                  b'{"foo": 1}\n', b'{"DetectorName": "AWS", "Raw'])  # fmt: skip
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
