"""The cloud, dependency and web-scanner formats of issue 12's second list (ASFF, GitHub code
scanning and Dependabot, Snyk, OSV-Scanner, Clair, Acunetix, AppScan) imported as a user
would, by a real `cityguard` process: good files import, and a truncated, wrongly shaped,
hostilely nested or entity-laden file gives one line naming it, exit 2, nothing of it stored,
and no traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from importer_helpers import asset, import_mixed

GOOD = {
    "asff.json": "asff/many_vulns.json",
    "code-scanning.json": "github_code_scanning/github_sast_many_vul.json",
    "dependabot.json": "github_dependabot/github_search3.json",
    "snyk.json": "snyk/single_project_many_vulns.json",
    "osv.json": "osv_scanner/many_findings.json",
    "clair.json": "clair/clair_many_vul.json",
    "awvs.xml": "acunetix/many_findings.xml",
    "appscan.xml": "appscan/issue_9279.xml",
}


def test_good_and_bad_files_in_one_import(tmp_path: Path, cityguard_proc) -> None:
    for name, rel in GOOD.items():
        (tmp_path / name).write_bytes(asset(rel).read_bytes())
    snyk = asset("snyk/single_project_many_vulns.json").read_bytes()
    (tmp_path / "snyk-cut.json").write_bytes(snyk[: len(snyk) // 2])
    appscan = asset("appscan/many_findings.xml").read_bytes()
    (tmp_path / "appscan-cut.xml").write_bytes(appscan[: len(appscan) // 3])
    (tmp_path / "asff-shape.json").write_text(
        '{"Findings": [{"SchemaVersion": "2018-10-08", "ProductArn": "x", "AwsAccountId": "1"},'
        ' 7]}')
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "osv-deep.json").write_text(
        '{"results": [{"source": {"path": "a", "type": "lockfile"}, "packages": ' + deep + "}]}")
    (tmp_path / "awvs-xxe.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE ScanGroup [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<ScanGroup><Scan><StartURL>&x;</StartURL></Scan></ScanGroup>")
    bad = ["snyk-cut.json", "appscan-cut.xml", "asff-shape.json", "osv-deep.json",
           "awvs-xxe.xml"]  # fmt: skip
    res, results, db = import_mixed(cityguard_proc, tmp_path, GOOD, bad)
    assert "/etc/passwd" not in res.stderr
    assert {r["format"] for f, r in results.items() if f in GOOD} == {
        "asff", "github_code_scanning", "github_dependabot", "snyk", "osv_scanner", "clair",
        "acunetix", "appscan"}
    conn = sqlite3.connect(db)
    count = conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    conn.close()
    assert count == 5 + 2 + 2 + 41 + 37 + 35 + 4 + 18  # the samples' independent counts
