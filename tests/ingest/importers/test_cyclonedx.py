"""CycloneDX JSON and XML: what is particular to them (the shared tests run every sample in
tests/assets/ingest/cyclonedx{,_xml}/samples.yaml, including JSON = XML of one scan)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity


def test_component_cves_map_to_vulnerability_items_and_vex_states_count() -> None:
    (vex,) = parse("cyclonedx", asset("cyclonedx/valid-vulnerability-1.4.json"))
    assert vex.status == "false_positive" and vex.cves == ("CVE-2018-7489",)
    assert "code_not_reachable" in vex.extra["suppression"]["justification"]
    assert {"L3-CES1-21", "L3-MMS1-13", "L3-CMS1-15"} <= set(unit_ids_for(vex, 3))
    spec = parse("cyclonedx_xml", asset("cyclonedx_xml/spec1.xml"))[0]
    assert spec.cwes == ("CWE-184", "CWE-502") and spec.cvss_score == 9.8


def test_a_resolved_vex_statement_is_no_finding_and_no_rating_is_medium(tmp_path: Path) -> None:
    bom = json.loads(asset("cyclonedx/log4j.json").read_text(encoding="utf-8"))
    bom["vulnerabilities"][0]["analysis"] = {"state": "resolved"}
    bom["vulnerabilities"][1]["ratings"] = []
    findings = parse_bytes("cyclonedx", json.dumps(bom).encode(), tmp_path)
    assert len(findings) == 7 and "CVE-2021-44228" not in {f.rule_id for f in findings}
    unrated = one(findings, rule_id=bom["vulnerabilities"][1]["id"])
    assert unrated.severity is Severity.MEDIUM and "by policy" in unrated.severity_raw


def test_grype_extension_vulnerabilities_take_their_component_not_the_run_uuid() -> None:
    findings = parse("cyclonedx_xml", asset("cyclonedx_xml/grype_dd_1_14_1.xml"))
    assert not [f for f in findings if f.location.startswith("urn:uuid:")]
    assert one(findings, rule_id="CVE-2011-3374", location="apt@1.8.2.1").severity is Severity.LOW


@pytest.mark.parametrize(("fmt", "body"), [
    ("cyclonedx", b'{"bomFormat": "SPDX"}'),
    ("cyclonedx", b'{"bomFormat": "CycloneDX", "vulnerabilities": [{"ratings": []}]}'),
    ("cyclonedx_xml", b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><vulnerabilities>'
                      b'<vulnerability><description>x</description></vulnerability>'
                      b'</vulnerabilities></bom>'),
    ("cyclonedx_xml", b'<bom xmlns="urn:other"><components/></bom>'),
])  # fmt: skip
def test_wrong_shape_is_one_data_error(fmt: str, body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(fmt, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
