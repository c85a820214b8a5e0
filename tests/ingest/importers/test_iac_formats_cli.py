"""The IaC and cloud-posture formats (checkov, semgrep, kics, tfsec, hadolint, kube-bench,
prowler) imported as a user would, by a real `cityguard` process: good files import, and a
truncated, wrongly shaped or hostilely nested file gives one line naming it, exit 2, nothing
of it stored, and no traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from importer_helpers import asset, import_mixed

GOOD = {
    "checkov.json": "checkov/k8s-docker-skips.json",
    "semgrep.json": "semgrep/many_vulns.json",
    "tfsec.json": "tfsec/many_findings_current.json",
    "kube-bench-node1.json": "kube_bench/kube-bench-controls.json",
    "prowler.json": "prowler/example_output_gcp.ocsf.json",
}


def test_good_and_bad_files_in_one_import(tmp_path: Path, cityguard_proc) -> None:
    for name, rel in GOOD.items():
        (tmp_path / name).write_bytes(asset(rel).read_bytes())
    kics = asset("kics/many_findings.json").read_bytes()
    (tmp_path / "kics-cut.json").write_bytes(kics[: len(kics) // 2])
    (tmp_path / "hadolint-shape.json").write_text(
        '[{"code": "DL3008", "level": "warning", "file": "Dockerfile", "line": 3}, 5]')
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "checkov-deep.json").write_text(
        '{"check_type": "terraform", "results": {"failed_checks": [' + deep + "]}}")
    bad = ["kics-cut.json", "hadolint-shape.json", "checkov-deep.json"]
    _res, _results, db = import_mixed(cityguard_proc, tmp_path, GOOD, bad)
    conn = sqlite3.connect(db)
    tools = {r[0] for r in conn.execute("SELECT DISTINCT tool FROM findings")}
    conn.close()
    assert tools == {"checkov", "semgrep", "tfsec", "kube-bench", "prowler"}
