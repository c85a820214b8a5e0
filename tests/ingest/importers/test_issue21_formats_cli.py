"""The issue-21 formats (sslscan, ssh-audit, Wapiti, WPScan, TruffleHog, yarn audit, CycloneDX,
SonarQube, gosec, checkov JUnit) imported as a user would, by a real `cityguard` process: good
files import and are detected from their content, bad ones give one line naming the file, exit
2, nothing of them stored, no traceback; a scan that did not run gives a warning line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from importer_helpers import asset

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
    db = tmp_path / "cg.db"
    bad = ["truncated.xml", "wrong-shape.json"]
    res = cityguard_proc("scans", "import", *GOOD, *bad, "wpscan-aborted.json",
                         "--store", str(db), "--json", cwd=tmp_path)  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    named = sorted(e.split(":")[1].strip() for e in errors if e.split(":")[1].strip() in bad)
    assert named == sorted(bad), res.stderr
    quiet = (*GOOD, "wpscan-aborted.json")
    assert not [e for e in errors if any(g in e for g in quiet)], res.stderr
    assert "wpscan-aborted.json" in res.stderr  # the coverage gap's warning line
    results = {r["file"]: r for r in json.loads(res.stdout)}
    assert {f for f, r in results.items() if r["status"] == "failed"} == set(bad)
    conn = sqlite3.connect(db)
    files = {r[0] for r in conn.execute("SELECT file FROM imports")}
    tools = {r[0] for r in conn.execute("SELECT DISTINCT tool FROM findings")}
    conn.close()
    assert set(GOOD) <= files and not files & set(bad)
    assert tools == TOOLS
