"""The checks every importer shares, one table each: hostile XML is refused, a truncated copy
is one DataError naming the file, an empty corpus report yields nothing. The per-format
modules (test_<format>.py) hold what is particular to each format."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import (
    assert_refuses_entities,
    assert_truncated_fails,
    asset,
    corpus_file,
    parse,
)

# XML formats → their root element (the importer itself must refuse entities and DTDs)
XML_ROOTS = {
    "burp": "issues",
    "dependency_check": "analysis",
    "nessus": "NessusClientData_v2",
    "nikto": "niktoscan",
    "nmap": "nmaprun",
    "openvas": "report",
    "qualys": "ASSET_DATA_REPORT",
    "qualys_webgui": "SCAN",
    "xccdf": "Benchmark",
    "zap": "OWASPZAPReport",
}

# (format, where the sample lives, its path there, where to cut it); several per format where
# the format has several shapes (trivy legacy and kubernetes, testssl CSV and JSON…)
TRUNCATED = [
    ("burp", "corpus", "burp/seven_findings.xml", 0.5),
    ("dependency_check", "corpus", "dependency-check/PR6439.xml", 0.5),
    ("dependency_check_json", "asset", "dependency_check_json/dependency-check-report.json", 0.5),
    ("grype", "corpus", "grype/check_all_fields.json", 0.5),
    ("lynis", "asset", "lynis/lynis-report.dat", 0.5),
    ("nessus", "corpus", "nessus/nessus_with_cvssv3.nessus", 0.5),
    ("nessus_csv", "corpus", "nessus/nessus_many_vuln2-all.csv", 0.5),
    ("nikto", "corpus", "nikto/tdh.xml", 0.5),
    ("nikto_json", "corpus", "nikto/juice-shop.json", 0.5),
    ("nmap", "corpus", "nmap/issue4406.xml", 0.5),
    ("nuclei", "corpus", "nuclei/many_findings.json", 0.5),
    ("nuclei", "corpus", "nuclei/multiple_v3.json", 0.5),
    ("openvas", "corpus", "openvas/many_vuln.xml", 0.5),
    ("openvas_csv", "corpus", "openvas/report_using_CVE.csv", 0.5),
    ("qualys", "corpus", "qualys/Qualys_Sample_Report.xml", 0.5),
    ("qualys_csv", "corpus", "qualys/Qualys_Sample_Report.csv", 0.5),
    ("qualys_webgui", "corpus", "qualys/qualys_infrascan_webgui_1.xml", 0.5),
    ("sarif", "corpus", "sarif/codeQL-output.sarif", 0.5),
    ("sarif", "asset", "sarif/multi_run.sarif", 0.8),
    ("sslyze", "corpus", "sslyze/one_target_many_vuln_old.json", 0.5),
    ("testssl", "corpus", "testssl/overall_critical.csv", 0.5),
    ("testssl", "asset", "testssl/pretty.json", 0.5),
    ("trivy", "corpus", "trivy/legacy_many_vulns.json", 0.5),
    ("trivy", "corpus", "trivy/kubernetes.json", 0.7),
    ("wazuh", "corpus", "wazuh/v4-8_many_findings.json", 0.5),
    ("xccdf", "asset", "xccdf/ssg-results-arf.xml", 0.8),
    ("zap", "corpus", "zap/dvwa_baseline_dojo.xml", 0.5),
    ("zap_json", "corpus", "zap/demo-petstore-api-scan_zap-results.json", 0.5),
]

# corpus reports without findings
EMPTY = [
    ("dependency_check", "dependency-check/single_dependency_with_related_no_vulnerability.xml"),
    ("nessus", "nessus/nessus_was_no_vuln.xml"),
    ("nikto", "nikto/nikto-report-zero-vuln.xml"),
    ("nmap", "nmap/nmap_0port.xml"),
    ("openvas", "openvas/no_vuln.xml"),
    ("qualys", "qualys/empty.xml"),
    ("zap", "zap/empty_2.9.0.xml"),
]


@pytest.mark.parametrize(("fmt", "root"), XML_ROOTS.items(), ids=list(XML_ROOTS))
def test_hostile_xml_is_refused(fmt: str, root: str, tmp_path: Path) -> None:
    assert_refuses_entities(fmt, root, tmp_path)


@pytest.mark.parametrize(("fmt", "where", "rel", "fraction"), TRUNCATED, ids=lambda v: str(v))
def test_truncated_copy_is_a_data_error(
    fmt: str, where: str, rel: str, fraction: float, tmp_path: Path
) -> None:
    source = corpus_file(rel) if where == "corpus" else asset(rel)
    assert_truncated_fails(fmt, source, tmp_path, fraction)


@pytest.mark.parametrize(("fmt", "rel"), EMPTY, ids=[rel for _, rel in EMPTY])
def test_empty_report_yields_nothing(fmt: str, rel: str) -> None:
    assert parse(fmt, corpus_file(rel)) == []
