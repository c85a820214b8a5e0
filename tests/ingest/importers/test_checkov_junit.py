"""Checkov JUnit XML: what is particular to it (the shared tests run every sample in
tests/assets/ingest/checkov_junit/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for

FMT = "checkov_junit"
JUNIT = "checkov_junit/checkov_3.3.30_results_junitxml.xml"
JSON = "checkov_junit/checkov_3.3.30_results_json.json"


def test_junit_and_json_of_one_run_give_the_same_failed_findings() -> None:
    def facts(findings: list) -> dict[str, tuple]:
        return {f.fingerprint: (f.tool, f.rule_id, f.location, f.severity, f.tags,
                                f.extra.get("line"), tuple(unit_ids_for(f, 3)))
                for f in findings if f.status == "open"}  # fmt: skip

    junit, json_ = parse(FMT, asset(JUNIT)), parse("checkov", asset(JSON))
    assert len(facts(junit)) == 30 and facts(junit) == facts(json_)


def test_skips_are_accepted_and_secrets_map_to_secret_items() -> None:
    findings = parse(FMT, asset(JUNIT))
    skipped = one(findings, rule_id="CKV_AWS_18", status="accepted")
    assert skipped.status == "accepted" and skipped.location == "main.tf:aws_s3_bucket.logs"
    assert skipped.extra["suppression"]["justification"] == (
        "this bucket holds the access logs themselves")  # fmt: skip
    secret = one(findings, rule_id="CKV_SECRET_6")
    assert secret.location == "main.tf:28" and "secret" in secret.tags
    assert "L3-CES1-01" in unit_ids_for(secret, 3)
    ssh = one(findings, rule_id="CKV_AWS_24")
    assert "L3-ABS2-01" in unit_ids_for(ssh, 3)  # cloud network access control
    assert ssh.severity_raw == "no severity given, medium by policy"


def test_a_testcase_name_without_check_id_is_one_data_error(tmp_path: Path) -> None:
    body = (
        b'<testsuites><testsuite name="terraform scan"><testcase name="[NONE][CKV_AWS_1] x" '
        b'file="/a.tf"><failure message="m">File: /a.tf: 1-2</failure></testcase>'
        b'<testcase name="odd"><failure message="m"/></testcase></testsuite></testsuites>'
    )
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path, "junit.xml")
    assert "junit.xml" in str(err.value) and "\n" not in err.value.one_line()
