"""kube-bench JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/kube_bench/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "kube_bench"


def test_fail_is_a_weakness_and_warn_is_not_checked() -> None:
    findings = parse(FMT, asset("kube_bench/kube-bench-controls.json"))
    failed = one(findings, rule_id="1.1.1")
    assert failed.severity is Severity.MEDIUM and "not-checked" not in failed.tags
    assert failed.asset_key == "kube-bench-controls" and unit_ids_for(failed, 3)
    manual = one(findings, rule_id="1.1.9")
    assert manual.severity is Severity.INFO and "not-checked" in manual.tags
    assert manual.location == "master not-checked" and "manual" in manual.evidence
    assert sum("not-checked" in f.tags for f in findings) == 49


def test_unscored_failure_is_low() -> None:
    findings = parse(FMT, asset("kube_bench/kube-bench-report-many-vuln.json"))
    assert one(findings, rule_id="3.1.1").severity_raw == "FAIL (not scored)"


@pytest.mark.parametrize("body", [b'{"Totals": {}}', b"[1]", b'[{"id": "1", "node_type": "ma'])
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
