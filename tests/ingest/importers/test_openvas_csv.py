from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "openvas_csv"


def test_csv_twin_of_the_xml_report_gives_the_same_finding() -> None:
    (xml,) = parse("openvas", corpus_file("openvas/report_detail_v2.xml"))
    (csv,) = parse(FMT, corpus_file("openvas/report_detail_v2.csv"))
    assert csv.fingerprint == xml.fingerprint and csv.tool == xml.tool == "openvas"
    for name in ("asset_key", "port", "protocol", "rule_id", "title", "severity", "cves"):
        assert getattr(csv, name) == getattr(xml, name), name
    assert csv.evidence == xml.evidence and csv.extra["qod"] == 80


def test_cve_scanner_rows_without_a_port() -> None:
    findings = parse(FMT, corpus_file("openvas/report_using_CVE.csv"))
    f = one(findings, rule_id="CVE-2021-26690")
    assert (f.asset_key, f.location, f.port) == ("45.33.32.156", "general", None)
    assert f.severity is Severity.HIGH and f.cvss_score == 7.5 and f.tags == ("vuln",)
    assert f.last_seen == "2024-03-18T21:29:42Z"
    assert {f.severity for f in findings} == {Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM}


def test_columns_are_mapped_by_name_not_position(tmp_path: Path) -> None:
    path = tmp_path / "reordered.csv"
    path.write_text(
        "NVT OID,Severity,CVSS,Port Protocol,Port,IP,NVT Name,Specific Result\n"
        "1.3.6.1.4.1.25623.1.0.10107,Log,0.0,tcp,80,10.2.2.2,HTTP Server type,Apache\n",
        encoding="utf-8",
    )
    (f,) = parse(FMT, path)
    assert (f.asset_key, f.location, f.severity) == ("10.2.2.2", "80/tcp", Severity.INFO)
    assert f.evidence == "Apache"


def test_header_only_export_yields_nothing() -> None:
    assert parse(FMT, corpus_file("openvas/no_vuln.csv")) == []
