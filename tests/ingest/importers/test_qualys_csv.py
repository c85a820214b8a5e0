from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "qualys_csv"


def test_row_fields() -> None:
    findings = parse(FMT, corpus_file("qualys/Qualys_Sample_Report.csv"))
    f = one(findings, rule_id="91762")
    assert f.asset_key == "10.98.57.180" and f.location == ""
    assert f.severity is Severity.CRITICAL and f.severity_raw == "Vuln 5"
    assert f.cvss_score == 9.9 and f.cvss_vector == "AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H"
    assert "CVE-2021-31192" in f.cves and "vuln" in f.tags
    assert f.first_seen == "2021-05-13T07:08:28" and f.last_seen == "2021-05-25T07:36:58"
    assert {x.asset_key for x in findings if x.rule_id == "105971"} == {
        "10.98.57.180",
        "10.98.57.151",
        "10.98.49.209",
        "10.98.35.11",
    }


def test_csv_and_xml_share_the_qualys_identity(tmp_path: Path) -> None:
    xml = tmp_path / "adr.xml"
    xml.write_text(
        "<ASSET_DATA_REPORT><HOST_LIST><HOST><IP>10.0.0.9</IP><VULN_INFO_LIST><VULN_INFO>"
        '<QID id="qid_38173">38173</QID><TYPE>Vuln</TYPE><PORT>443</PORT>'
        "<PROTOCOL>tcp</PROTOCOL></VULN_INFO></VULN_INFO_LIST></HOST></HOST_LIST>"
        '<GLOSSARY><VULN_DETAILS_LIST><VULN_DETAILS id="qid_38173"><TITLE>SSL Certificate - '
        "Signature Verification Failed</TITLE><SEVERITY>2</SEVERITY></VULN_DETAILS>"
        "</VULN_DETAILS_LIST></GLOSSARY></ASSET_DATA_REPORT>",
        encoding="utf-8",
    )
    csv_file = tmp_path / "vm.csv"
    csv_file.write_text(
        '"IP","DNS","QID","Title","Vuln Status","Type","Severity","Port","Protocol","FQDN"\n'
        '"10.0.0.9","","38173","SSL Certificate - Signature Verification Failed","Active",'
        '"Vuln","2","443","tcp",""\n'
        '"10.0.0.9","","38170","SSL Certificate - Subject Common Name","Fixed","Vuln","2",'
        '"443","tcp",""\n',
        encoding="utf-8",
    )
    (a,), (b,) = parse("qualys", xml), parse(FMT, csv_file)
    assert a.fingerprint == b.fingerprint and a.severity is b.severity is Severity.LOW


def test_header_only_export_yields_nothing() -> None:
    assert parse(FMT, corpus_file("qualys/empty.csv")) == []
