"""The issue-21 formats (sslscan, ssh-audit, Wapiti, WPScan, TruffleHog, yarn audit, CycloneDX,
SonarQube, gosec, checkov JUnit) imported as a user would, by a real `cityguard` process: good
files import and are detected from their content, bad ones give one line naming the file, exit
2, nothing of them stored, no traceback; a scan that did not run gives a warning line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from importer_helpers import asset, import_mixed

GOOD = {
    "scan-1.xml": "sslscan/sslscan_2.0.7_weak_tls.xml",
    "scan-2.json": "ssh_audit/ssh-audit_3.9.0_weak_sshd.json",
    "scan-3.json": "wapiti/wapiti_3.2.3_local_site.json",
    "scan-4.json": "wpscan/wpscan.json",
    "scan-5.json": "trufflehog/v3_git.json",
    "scan-6.json": "yarn_audit/yarn_audit_many_vul.json",
    "scan-7.json": "cyclonedx/log4j.json",
    "scan-8.xml": "cyclonedx_xml/spec1.xml",
    "scan-9.json": "sonarqube/findings_over_api.json",
    "scan-10.json": "gosec/many_vulns.json",
    "scan-11.xml": "checkov_junit/checkov_3.3.30_results_junitxml.xml",
}
TOOLS = {"sslscan", "ssh-audit", "wapiti", "wpscan", "trufflehog", "yarn-audit", "cyclonedx",
         "sonarqube", "gosec", "checkov"}  # fmt: skip


def test_good_bad_and_not_run_files_in_one_import(tmp_path: Path, cityguard_proc) -> None:
    for name, rel in GOOD.items():
        (tmp_path / name).write_bytes(asset(rel).read_bytes())
    sslscan = asset("sslscan/sslscan_2.0.7_weak_tls.xml").read_bytes()
    (tmp_path / "truncated.xml").write_bytes(sslscan[: len(sslscan) // 2])
    (tmp_path / "wrong-shape.json").write_text('{"Issues": [{"line": "3"}], "Stats": {}}')
    (tmp_path / "wpscan-aborted.json").write_bytes(asset("wpscan/empty.json").read_bytes())
    bad = ["truncated.xml", "wrong-shape.json"]
    res, _results, db = import_mixed(cityguard_proc, tmp_path, GOOD, bad,
                                     quiet=["wpscan-aborted.json"])
    assert "wpscan-aborted.json" in res.stderr  # the coverage gap's warning line
    conn = sqlite3.connect(db)
    tools = {r[0] for r in conn.execute("SELECT DISTINCT tool FROM findings")}
    conn.close()
    assert tools == TOOLS
