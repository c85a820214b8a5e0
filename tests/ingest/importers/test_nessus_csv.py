from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    assert_detected,
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "nessus_csv"


def test_classic_export_fields() -> None:
    findings = parse(FMT, corpus_file("nessus/nessus_many_vuln2-all.csv"))
    tls10 = one(findings, rule_id="104743")
    assert (tls10.asset_key, tls10.location, tls10.port) == ("52.208.101.182", "443/tcp", 443)
    assert tls10.severity is Severity.MEDIUM and tls10.cvss_score == 6.5
    assert "tls" in tls10.tags
    weak_hash = one(findings, rule_id="95631")
    assert weak_hash.cves == ("CVE-2004-2761",)
    trace = one(findings, rule_id="10287")
    assert (trace.protocol, trace.location, trace.port) == ("udp", "0/udp", None)


def test_tenable_io_semicolon_export() -> None:
    findings = parse(FMT, corpus_file("nessus/nessus_new.csv"))
    f = one(findings, rule_id="166552", asset_key="10.0.0.10")
    assert f.cves == ("CVE-2022-21619", "CVE-2022-21624", "CVE-2022-21626", "CVE-2022-21628")
    assert f.cwes == ("CWE-192", "CWE-330", "CWE-400", "CWE-770")
    assert f.severity is Severity.LOW and f.cvss_vector.startswith("CVSS:3.0/")
    assert f.first_seen == "2023-07-06T11:49:24.456Z" and f.last_seen == "2023-07-12T11:53:16.937Z"
    assert "multiple vulnerabilities" in f.description  # the text under the nameless column
    assert f.tags == ("vuln",) and f.location == "0/tcp"


def test_csv_and_xml_of_one_scan_share_identities(tmp_path: Path) -> None:
    """The same ReportItem exported as .nessus and as CSV deduplicates in the store."""
    xml = tmp_path / "scan.nessus"
    xml.write_text(
        '<?xml version="1.0" ?><NessusClientData_v2><Report name="r"><ReportHost name="h">'
        '<HostProperties><tag name="host-ip">10.1.1.1</tag></HostProperties>'
        '<ReportItem port="443" protocol="tcp" severity="2" pluginID="104743" '
        'pluginName="TLS Version 1.0 Protocol Detection" pluginFamily="Service detection"/>'
        "</ReportHost></Report></NessusClientData_v2>",
        encoding="utf-8",
    )
    csv_file = tmp_path / "scan.csv"
    csv_file.write_text(
        "Plugin ID,CVE,CVSS v2.0 Base Score,Risk,Host,Protocol,Port,Name,Synopsis,Description,"
        "Solution,See Also,Plugin Output\n"
        '"104743","","6.1","Medium","10.1.1.1","tcp","443","TLS Version 1.0 Protocol '
        'Detection","","","","",""\n',
        encoding="utf-8",
    )
    (a,), (b,) = parse("nessus", xml), parse(FMT, csv_file)
    assert a.fingerprint == b.fingerprint and a.tool == b.tool == "nessus"


def test_rows_of_one_item_fold_their_cves(tmp_path: Path) -> None:
    path = tmp_path / "cves.csv"
    path.write_text(
        "Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,"
        "See Also,Plugin Output\n"
        '"1","CVE-2020-0001","7.5","High","10.0.0.1","tcp","80","X","","","","",""\n'
        '"1","CVE-2020-0002","7.5","High","10.0.0.1","tcp","80","X","","","","",""\n'
        '"1","CVE-2020-0003","7.5","High","10.0.0.2","tcp","80","X","","","","",""\n',
        encoding="utf-8",
    )
    findings = parse(FMT, path)
    assert [(f.asset_key, f.cves) for f in findings] == [
        ("10.0.0.1", ("CVE-2020-0001", "CVE-2020-0002")),
        ("10.0.0.2", ("CVE-2020-0003",)),
    ]


def test_fixed_tenable_io_rows_are_not_open_findings(tmp_path: Path) -> None:
    path = tmp_path / "io.csv"
    path.write_text(
        "asset.display_ipv4_address;asset.id;definition.id;definition.name;port;protocol;"
        "severity;state\n"
        "10.0.0.1;a;10107;HTTP Server Type and Version;80;TCP;Info;FIXED\n"
        "10.0.0.1;a;104743;TLS Version 1.0 Protocol Detection;443;TCP;Medium;ACTIVE\n",
        encoding="utf-8",
    )
    assert [f.rule_id for f in parse(FMT, path)] == ["104743"]


def test_header_only_export_yields_nothing() -> None:
    assert parse(FMT, corpus_file("nessus/nessus_was_no_vuln.csv")) == []


def test_a_byte_order_mark_changes_nothing(tmp_path: Path) -> None:
    source = corpus_file("nessus/nessus_many_vuln2-all.csv")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert_detected(FMT, bom)
    assert [f.fingerprint for f in parse(FMT, bom)] == [f.fingerprint for f in parse(FMT, source)]
