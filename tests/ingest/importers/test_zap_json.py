from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "zap_json"
# DefectDojo asserts no count for these two (secureCodeBox samples); the notes give 20 and 7


def test_alert_fields() -> None:
    findings = parse(FMT, corpus_file("zap/demo-bodgeit-baseline-scan_zap-results.json"))
    csp = one(findings, rule_id="10038")
    assert (csp.tool, csp.asset_key) == ("zap", "http://bodgeit.demo-targets.svc:8080")
    assert csp.severity is Severity.LOW and csp.cwes == ("CWE-16",)
    assert csp.extra["instances"] == 298 and "… 298 instances in all" in csp.evidence
    assert len(csp.evidence.splitlines()) == 21  # 20 kept instances and the total


def test_json_and_xml_alerts_share_an_identity(tmp_path: Path) -> None:
    site = {"@name": "https://a.example.cn", "@host": "a.example.cn", "@port": "443",
            "@ssl": "true"}  # fmt: skip
    alert = {"pluginid": "10020", "alertRef": "10020-1", "alert": "Missing Anti-clickjacking",
             "riskcode": "2", "confidence": "2", "cweid": "1021", "instances": []}  # fmt: skip
    path = tmp_path / "zap.json"
    path.write_text(json.dumps({"@version": "2.14.0", "site": [{**site, "alerts": [alert]}]}))
    xml = tmp_path / "zap.xml"
    xml.write_text(
        '<OWASPZAPReport version="2.14.0"><site name="https://a.example.cn" host="a.example.cn"'
        ' port="443" ssl="true"><alerts><alertitem><pluginid>10020</pluginid><alertRef>10020-1'
        "</alertRef><alert>Missing Anti-clickjacking</alert><riskcode>2</riskcode><confidence>2"
        "</confidence><cweid>1021</cweid></alertitem></alerts></site></OWASPZAPReport>"
    )
    (a,), (b,) = parse(FMT, path), parse("zap", xml)
    assert a.fingerprint == b.fingerprint and a.severity is b.severity is Severity.MEDIUM
    assert a.cwes == b.cwes == ("CWE-1021",)


def test_report_without_sites_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "zap.json"
    path.write_text('{"@version": "2.14.0", "@generated": "x", "site": []}')
    assert parse(FMT, path) == []
