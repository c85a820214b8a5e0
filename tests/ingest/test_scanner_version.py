"""The scanner's version where the file states it (issue 20: the scan table's 工具版本 column),
read from real scanner outputs; a file that does not say gives "" (未记录), never a guess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityguard import ingest, render
from cityguard.model.serialize import assessment_from_dict

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "scans"
LOCAL = REPO / "tests" / "assets" / "ingest"

CASES = [  # (file, format detected, version the file states)
    ("corpus:nmap/nmap_script_vulners.xml", "nmap", "7.60"),
    ("nmap/nse-local.xml", "nmap", "7.93"),
    ("corpus:zap/zap_2.16.1_with_req_resp.xml", "zap", "2.16.1"),
    ("corpus:zap/dvwa_baseline_dojo.xml", "zap", "D-2021-03-29"),  # a weekly release
    ("corpus:zap/demo-bodgeit-baseline-scan_zap-results.json", "zap_json", "2.9.0"),
    ("corpus:openvas/report_detail_v2.xml", "openvas", "22.6"),
    ("corpus:grype/many_vulns_with_epss_values.json", "grype", "0.94.0"),  # at the end
    ("corpus:trivy/cvssv4_severity_source.json", "trivy", "0.69.1"),
    ("corpus:trivy/legacy_many_vulns.json", "trivy", ""),  # older Trivy did not write it
    ("sarif/bandit-portal.sarif", "sarif", "1.9.4"),
    ("sarif/semgrep-portal.sarif", "sarif", "1.187.0"),  # semanticVersion after the rules
    ("corpus:sarif/appendix_k1.sarif", "sarif", ""),
]


def _path(name: str) -> Path:
    if name.startswith("corpus:"):
        path = CORPUS / name.removeprefix("corpus:")
        if not path.is_file():
            pytest.skip(f"{path} not found (../shared/corpus is absent)")
        return path
    return LOCAL / name


@pytest.mark.parametrize(("name", "fmt", "version"), CASES, ids=[c[0] for c in CASES])
def test_the_version_the_file_states(name, fmt, version):
    got = ingest.read_file(_path(name))
    assert (got.format, got.tool_version) == (fmt, version)


def test_the_scan_table_shows_the_scanner_and_its_version(tmp_path):
    from cityguard.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(app, [
        "assess", "--target", f"dir:{REPO / 'tests/fixtures/hosts/weak'}", "--scan",
        str(LOCAL / "nmap/nse-local.xml"), "--no-store", "--output", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert [(s["tool"], s["tool_version"]) for s in doc["scans"]] == [("nmap", "7.93")]
    html = render.render_bytes(assessment_from_dict(doc), "html", lang="zh").decode("utf-8")
    assert '<td class="mono">nmap</td><td>7.93</td>' in html
