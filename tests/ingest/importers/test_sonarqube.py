"""SonarQube API JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/sonarqube/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "sonarqube"


def test_dependency_issues_are_vulnerabilities_and_quality_issues_are_info() -> None:
    findings = parse(FMT, asset("sonarqube/findings_over_api.json"))
    jwt = one(findings, location="testapplication [CVE-2023-52428]")
    assert jwt.severity is Severity.HIGH and jwt.severity_raw == "CRITICAL"
    assert {"L3-CES1-21", "L3-CMS1-15"} <= set(unit_ids_for(jwt, 3))
    table = one(findings, rule_id="Web:TableWithoutCaptionCheck")
    assert table.severity is Severity.INFO and table.severity_raw == "MINOR"
    assert table.extra["line"] == 59 and table.first_seen == "2023-07-25T13:16:32Z"


def test_resolutions_and_hotspot_categories(tmp_path: Path) -> None:
    listed = parse(FMT, asset("sonarqube/api_issues_list.json"))
    fp = one(listed, location="src/main/javascript/TranslateDirective.ts:237")
    assert fp.status == "false_positive"
    hotspots = parse(FMT, asset("sonarqube/findings_over_api_hotspots.json"))
    xss = one(hotspots, rule_id="typescript:7777")
    assert xss.cwes == ("CWE-79",) and "L3-CES1-20" in unit_ids_for(xss, 3)
    data = json.loads(asset("sonarqube/findings_over_api_hotspots.json").read_text("utf-8"))
    data["hotspots"][0].update(status="REVIEWED", resolution="FIXED")
    assert len(parse_bytes(FMT, json.dumps(data).encode(), tmp_path)) == 3  # fixed: gone


BAD = [b'{"paging": {}, "issues": [{"key": "a"}]}', b'"issues"',
       b'{"paging": {}, "issues": [{"rule": "x:S1", "compon']


@pytest.mark.parametrize("body", BAD)
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
