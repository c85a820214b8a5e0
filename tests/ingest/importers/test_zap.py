from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "zap"


def test_alert_fields_and_localised_date_is_ignored() -> None:
    (f,) = parse(FMT, corpus_file("zap/zap-xml-plus-format.xml"))  # generated="Fr., 30 Sep. …"
    assert (f.asset_kind, f.asset_key, f.rule_id) == ("url", "http://localhost:8080", "90028")
    assert f.title == "Insecure HTTP Method - PUT" and f.severity is Severity.MEDIUM
    assert f.severity_raw == "Medium (Medium)" and f.last_seen is None
    assert "method=PUT" in f.evidence and "uri=http://localhost:8080/bodgeit/" in f.evidence


def test_merged_alert_and_html_text() -> None:
    findings = parse(FMT, corpus_file("zap/dvwa_baseline_dojo.xml"))
    comments = one(findings, rule_id="10027")
    assert comments.evidence.count("uri=") == 3 and comments.severity is Severity.INFO
    csp = one(findings, rule_id="10038")
    assert csp.cwes == ("CWE-16",) and "<p>" not in csp.description and csp.references
    assert {f.severity for f in findings} == {Severity.LOW, Severity.MEDIUM, Severity.INFO}
    assert all(f.tags[0] == "web" for f in findings)


def test_request_and_response_bodies_are_not_kept() -> None:
    findings = parse(FMT, corpus_file("zap/zap_2.16.1_with_req_resp.xml"))
    assert all("authorization:" not in f.evidence.lower() for f in findings)
    assert {f.asset_key for f in findings} == {"https://example-domain.com"}


def test_user_marked_false_positive_is_tagged(tmp_path: Path) -> None:
    path = tmp_path / "zap.xml"
    path.write_text(
        '<?xml version="1.0"?><OWASPZAPReport version="2.14.0" generated="x">'
        '<site name="https://portal.example.cn" host="portal.example.cn" port="443" ssl="true">'
        "<alerts><alertitem><pluginid>10035</pluginid><alertRef>10035-1</alertRef>"
        "<alert>Strict-Transport-Security Header Not Set</alert><riskcode>1</riskcode>"
        "<confidence>0</confidence><cweid>-1</cweid><instances><instance><uri>https://"
        "portal.example.cn/</uri><method>GET</method></instance></instances><count>1</count>"
        "</alertitem></alerts></site></OWASPZAPReport>",
        encoding="utf-8",
    )
    (f,) = parse(FMT, path)
    assert f.rule_id == "10035-1" and f.cwes == ()
    assert f.tags == ("web", "tls", "false-positive")
