"""AWS Security Finding Format: what is particular to it (the shared tests run every sample in
tests/assets/ingest/asff/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "asff"


def test_prowler_info_results_are_not_checked_never_compliant() -> None:
    findings = parse(FMT, asset("asff/prowler-output.asff.json"))
    unchecked = [f for f in findings if "not-checked" in f.tags]
    assert len(unchecked) == 4 and all(f.severity is Severity.INFO for f in unchecked)
    assert all(f.location.endswith("not-checked") for f in unchecked)


def test_inspector_cve_fields_and_mapping() -> None:
    (f,) = parse(FMT, asset("asff/one_vuln.json"))
    assert f.cves == ("CVE-2017-9735",) and f.tags == ("vuln",)
    assert (f.first_seen, f.last_seen) == ("2023-08-30T20:07:14Z", "2023-09-15T07:00:24Z")
    assert "L3-CES1-21" in unit_ids_for(f, 3)


def test_open_security_group_maps_to_the_cloud_network_items() -> None:
    findings = parse(FMT, asset("asff/config_multiple_resources.json"))
    sg = next(f for f in findings if f.rule_id == "EC2.2")
    assert {"L3-ABS2-01", "L3-CES2-03"} <= set(unit_ids_for(sg, 3))


def _variant(tmp_path: Path, **changes: object) -> list:
    report = json.loads(asset("asff/one_vuln.json").read_text())
    report[0].update(changes)
    return parse_bytes(FMT, json.dumps(report).encode(), tmp_path)


def test_workflow_and_record_state(tmp_path: Path) -> None:
    assert _variant(tmp_path, RecordState="ARCHIVED") == []
    assert _variant(tmp_path, Workflow={"Status": "RESOLVED"}) == []
    (f,) = _variant(tmp_path, Workflow={"Status": "SUPPRESSED"})
    assert f.status == "accepted"


def test_normalized_severity_without_a_label(tmp_path: Path) -> None:
    (f,) = _variant(tmp_path, Severity={"Normalized": 92})
    assert f.severity is Severity.CRITICAL and f.severity_raw == "92/100"


def test_two_findings_of_one_rule_on_one_resource_stay_two(tmp_path: Path) -> None:
    report = json.loads(asset("asff/one_vuln.json").read_text())
    twin = json.loads(json.dumps(report[0]))
    twin["Id"] += "-other"
    findings = parse_bytes(FMT, json.dumps([report[0], twin]).encode(), tmp_path)
    assert len({f.fingerprint for f in findings}) == 2


@pytest.mark.parametrize("data", [b'[1]', b'{"Findings": [null]}'])
def test_wrong_shape_is_one_data_error(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError):
        parse_bytes(FMT, data, tmp_path)
