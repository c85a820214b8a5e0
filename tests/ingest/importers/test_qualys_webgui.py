from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    parse,
)

from cityguard.model import Severity

FMT = "qualys_webgui"


def test_fields() -> None:
    (f,) = parse(FMT, corpus_file("qualys/qualys_infrascan_webgui_1.xml"))
    assert (f.tool, f.asset_key, f.rule_id) == ("qualys", "10.1.10.1", "123168")
    assert f.title == "Oracle Java SE Critical Patch Update - January 2015"
    assert f.severity is Severity.CRITICAL and len(f.cves) == 19 and "CVE-2014-3566" in f.cves
    assert f.cvss_score == 3.4 and f.last_seen == "2019-04-02T10:14:53Z"
    assert f.description == "some diagnosis\n\nSome impact" and f.evidence == "some output"
    assert f.extra["dns"] == "host1.example.com" and f.extra["category"] == "Local"


def test_sections_ports_and_info(tmp_path: Path) -> None:
    path = tmp_path / "scan.xml"
    path.write_text(
        '<?xml version="1.0"?><SCAN value="scan/1"><HEADER><KEY value="DATE">'
        '2024-01-02T03:04:05Z</KEY></HEADER><IP value="10.0.0.3" name="gw">'
        '<INFOS><CAT value="TCP/IP"><INFO number="82023" severity="1"><TITLE>Open TCP '
        "Services List</TITLE><RESULT>22 ssh</RESULT></INFO></CAT></INFOS>"
        '<SERVICES><CAT value="x"><SERVICE number="1"><TITLE>s</TITLE></SERVICE></CAT></SERVICES>'
        '<VULNS><CAT value="General remote services" port="22" protocol="tcp">'
        '<VULN number="38739" severity="3"><TITLE>Deprecated SSH Cryptographic Settings'
        "</TITLE></VULN></CAT></VULNS>"
        '<PRACTICES><CAT value="Web server" port="443" protocol="tcp" fqdn="gw.example.cn">'
        '<PRACTICE number="86002" severity="2"><TITLE>SSL Certificate - Self-Signed'
        "</TITLE></PRACTICE></CAT></PRACTICES></IP></SCAN>",
        encoding="utf-8",
    )
    findings = parse(FMT, path)
    assert [(f.rule_id, f.location, f.severity) for f in findings] == [
        ("38739", "22/tcp", Severity.MEDIUM),
        ("86002", "443/tcp gw.example.cn", Severity.LOW),
        ("82023", "", Severity.INFO),
    ]
    assert findings[2].tags == ("port",) and "web" in findings[1].tags


def test_report_without_hosts_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text('<SCAN value="scan/2"><HEADER><KEY value="DATE">x</KEY></HEADER></SCAN>')
    assert parse(FMT, path) == []
