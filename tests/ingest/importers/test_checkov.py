"""Checkov JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/checkov/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes, parse_unseekable

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "checkov"


def test_skipped_checks_are_kept_as_accepted_with_their_reason() -> None:
    findings = parse(FMT, asset("checkov/k8s-docker-skips.json"))
    skipped = [f for f in findings if f.status == "accepted"]
    assert sorted(f.rule_id for f in skipped) == ["CKV_DOCKER_2", "CKV_K8S_43"]
    k8s = one(skipped, rule_id="CKV_K8S_43")
    assert k8s.extra["suppression"]["justification"] == (
        "image digests are pinned by the release pipeline")
    assert k8s.extra["framework"] == "kubernetes" and k8s.location == "deploy.yaml:1"
    # one graph check failing on two resources of one file: two findings, each with its line
    assert {f.location for f in findings if f.rule_id == "CKV2_K8S_6"} == {
        "deploy.yaml:1", "deploy.yaml:26"}


def test_paths_relative_to_the_scanned_folder_and_own_severity() -> None:
    findings = parse(FMT, asset("checkov/checkov-report-multiple-check_type.json"))
    rds = one(findings, rule_id="CKV_AWS_16")
    assert rds.location == "aws/db-app.tf:1" and rds.extra["end_line"] == 41
    assert rds.severity is Severity.MEDIUM and "by policy" in rds.severity_raw
    # a dockerfile check on the whole file has no line (checkov writes [0, 0])
    assert one(findings, rule_id="CKV_DOCKER_3").location == "aws/resources/Dockerfile"
    rated = parse(FMT, asset("checkov/checkov-report-severity.json"))
    assert one(rated, rule_id="CKV_GCP_28").severity is Severity.HIGH
    assert one(rated, rule_id="CKV_GCP_78").severity is Severity.LOW


def test_pipe_gives_the_same_findings() -> None:
    path = asset("checkov/k8s-docker-skips.json")
    assert [f.fingerprint for f in parse_unseekable(FMT, path)] == [
        f.fingerprint for f in parse(FMT, path)]


@pytest.mark.parametrize("body", [
    json.dumps({"sarif": 1}),
    json.dumps({"check_type": "terraform", "results": {"failed_checks": [{"check_id": "x"}]}})[:-9],
    "[" * 5000 + "]" * 5000,
])  # fmt: skip
def test_wrong_shape_truncated_and_hostile_nesting_are_one_data_error(
    body: str, tmp_path: Path
) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body.encode(), tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()


def test_iac_misconfigurations_map_to_cloud_extension_items_beside_general_ones() -> None:
    from cityguard.ingest.mapping import unit_ids_for

    findings = parse(FMT, asset("sarif/checkov-portal.json"))
    ssh_open = one(findings, rule_id="CKV_AWS_24")  # security group open to 0.0.0.0/0 on 22
    assert {"L3-ABS2-01", "L3-CES2-03", "L3-ABS1-07"} <= set(unit_ids_for(ssh_open, 3))
    assert "L2-ABS2-01" in unit_ids_for(ssh_open, 2)
    docker = parse(FMT, asset("checkov/k8s-docker-skips.json"))
    user = one(docker, rule_id="CKV_DOCKER_3")  # no USER in the image
    assert unit_ids_for(user, 3) == ("L3-CES2-07", "L3-MMS1-18", "L3-MMS1-27")
    assert unit_ids_for(user, 1) == ("L1-MMS1-05",)  # level 1 has no image-hardening item
