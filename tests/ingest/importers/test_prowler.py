"""Prowler OCSF JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/prowler/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "prowler"


def test_manual_checks_are_not_checked_and_assets_are_accounts() -> None:
    findings = parse(FMT, asset("prowler/example_output_aws.ocsf.json"))
    manual = [f for f in findings if "not-checked" in f.tags]
    assert len(manual) == 1 and manual[0].severity is Severity.INFO
    assert manual[0].location.endswith("not-checked") and "MANUAL" in manual[0].severity_raw
    assert {f.asset_key for f in findings} == {"aws:<account_uid>"}
    gcp = parse(FMT, asset("prowler/example_output_gcp.ocsf.json"))
    assert one(gcp, rule_id="compute_firewall_rdp_access_from_the_internet_allowed").severity \
        is Severity.CRITICAL


def test_passed_are_skipped_and_muted_are_accepted(tmp_path: Path) -> None:
    items = json.loads(asset("prowler/example_output_azure.ocsf.json").read_text())
    items[0]["status_code"] = "PASS"
    items[1]["status"] = "Suppressed"
    findings = parse_bytes(FMT, json.dumps(items).encode(), tmp_path)
    assert len(findings) == 2 and findings[0].status == "accepted"


@pytest.mark.parametrize("body", [b'{"findings": []}', b"[1]"])
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
