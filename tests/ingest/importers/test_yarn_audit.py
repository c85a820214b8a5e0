"""yarn audit JSON lines: what is particular to it (the shared tests run every sample in
tests/assets/ingest/yarn_audit/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for

FMT = "yarn_audit"


def test_paths_of_one_advisory_fold_and_map_to_vulnerability_items() -> None:
    findings = parse(FMT, asset("yarn_audit/yarn_audit_multiple_cwes.json"))
    nth = one(findings, rule_id="GHSA-rp65-9cf3-cjxr")
    assert nth.cves == ("CVE-2021-3803",) and nth.cvss_score == 7.5
    assert "react-native-svg>css-select>nth-check" in nth.evidence
    assert {"L3-CES1-21", "L3-MMS1-13", "L3-CMS1-15"} <= set(unit_ids_for(nth, 3))


def test_yarn2_deprecations_are_dependency_findings_not_vulnerabilities() -> None:
    findings = parse(FMT, asset("yarn_audit/yarn2_audit_issue9911.json"))
    deprecated = [f for f in findings if f.rule_id.endswith("(deprecation)")]
    assert len(deprecated) == 3 and all(f.tags == ("dependency",) for f in deprecated)
    vuln = one(findings, location="transformers")  # an advisory: its GHSA id from the URL
    assert vuln.rule_id == "GHSA-37q5-v5qm-c9v8" and vuln.tags == ("vuln", "dependency")
    assert vuln.evidence.startswith("transformers@4.38\npaths:\ntest@npm:1.13.0")


@pytest.mark.parametrize("body", [b'{"type":"auditAdvisory","data":{}}\n', b'[1]\n',
                                  b'{"what": 1}\n', b'{"type":"auditAdvisory","da'])  # fmt: skip
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
