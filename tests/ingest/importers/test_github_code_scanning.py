"""GitHub code scanning alerts JSON: what is particular to it (the shared tests run every
sample in tests/assets/ingest/github_code_scanning/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "github_code_scanning"


def test_alert_fields_cwes_and_mapping() -> None:
    first, second = parse(FMT, asset("github_code_scanning/github_sast_many_vul.json"))
    assert first.cwes == ("CWE-312", "CWE-315", "CWE-359") and first.extra["line"] == 42
    assert first.extra["analysis_tool"] == "CodeQL" and first.evidence.startswith("This expression")
    assert second.rule_id == "py/path-injection" and second.severity is Severity.HIGH
    assert unit_ids_for(second, 3)  # path traversal: an injection-class weakness


def _alerts(tmp_path: Path, **changes: object) -> list:
    alerts = json.loads(asset("github_code_scanning/github_sast_one_vul.json").read_text())
    alerts[0].update(changes)
    return parse_bytes(FMT, json.dumps(alerts).encode(), tmp_path)


def test_fixed_alerts_are_closed_dismissed_ones_kept(tmp_path: Path) -> None:
    assert _alerts(tmp_path, state="fixed") == []
    (fp,) = _alerts(tmp_path, state="dismissed", dismissed_reason="false positive")
    assert fp.status == "false_positive"
    (wont,) = _alerts(tmp_path, state="dismissed", dismissed_reason="won't fix",
                      dismissed_comment="legacy module")  # fmt: skip
    assert wont.status == "accepted" and "legacy" in wont.extra["suppression"]["justification"]


def test_severity_from_the_rule_level_without_security_severity(tmp_path: Path) -> None:
    alerts = json.loads(asset("github_code_scanning/github_sast_one_vul.json").read_text())
    del alerts[0]["rule"]["security_severity_level"]
    alerts[0]["rule"]["severity"] = "warning"
    (f,) = parse_bytes(FMT, json.dumps(alerts).encode(), tmp_path)
    assert f.severity is Severity.MEDIUM


@pytest.mark.parametrize("data", [b'[1]', b'{"alerts": []}', b'[{"rule": 3}]'])
def test_wrong_shape_is_one_data_error(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError):
        parse_bytes(FMT, data, tmp_path)
