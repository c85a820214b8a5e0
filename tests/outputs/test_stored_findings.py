"""The system's stored findings count in its assessment: `scans import … --system NAME`, triage
in the store, then `assess` for that system (real corpus files, a real store, real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from outputs_runs import CORPUS

SYSTEM = "智慧城市门户"
OPENVAS = CORPUS / "openvas" / "many_vuln.xml"
ZAP = CORPUS / "zap" / "zap_2.16.1_with_req_resp.xml"
CODEQL = CORPUS / "sarif" / "codeQL-output.sarif"


def _cg(*args: str, cwd: Path, store: Path, ok=(0,), env: dict | None = None):
    p = subprocess.run([sys.executable, "-m", "cityguard", *args, "--store", str(store)],
                       cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
                       env={**os.environ, **(env or {})})
    assert p.returncode in ok, p.stdout[-1500:] + p.stderr[-1500:]
    return p


def _assess(tmp: Path, store: Path, *extra: str, env: dict | None = None) -> dict:
    out = tmp / "out"
    _cg("assess", "--target", f"dir:{tmp / 'empty'}", "--only", "L3-CES1-01", "--name", SYSTEM,
        "--format", "json", "--output", str(out), "--lang", "en", *extra, cwd=tmp, store=store,
        ok=(0, 1), env=env)
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    if not OPENVAS.is_file():
        pytest.skip("scanner corpus not found")
    (tmp_path / "empty").mkdir()
    store = tmp_path / "soc.db"
    _cg("scans", "import", str(OPENVAS), str(ZAP), "--system", SYSTEM, cwd=tmp_path, store=store)
    listed = _cg("findings", "list", "--system", SYSTEM, "--format", "json", cwd=tmp_path,
                 store=store)
    return tmp_path, store, json.loads(listed.stdout)


def test_stored_findings_join_with_their_scan_and_triage(imported):
    tmp, store, rows = imported
    high = [r for r in rows if r["severity"] in ("critical", "high")]
    accepted, wrong = high[0], high[1]
    until = (date.today() + timedelta(days=30)).isoformat()
    _cg("findings", "accept", str(accepted["id"]), "--reason", "WAF 规则已拦截", "--until", until,
        "--by", "李四", cwd=tmp, store=store)
    _cg("findings", "false-positive", str(wrong["id"]), "--reason", "版本号误判", cwd=tmp,
        store=store)

    doc = _assess(tmp, store)
    found = {f["fingerprint"]: f for f in doc["findings"]}
    assert len(found) == len(rows)  # every stored finding of the system, none twice
    for f in found.values():
        assert f["stored"]["import_file"] in (str(OPENVAS), str(ZAP))
        assert f["stored"]["imported_at"][:4].isdigit()
    acc = found[accepted["fingerprint"]]
    assert acc["status"] == "accepted"
    assert acc["stored"]["status_until"] == until and acc["stored"]["status_by"] == "李四"
    assert found[wrong["fingerprint"]]["status"] == "false_positive"
    # triaged findings do not count against the system, and the report says so
    open_high = sum(1 for f in found.values() if f["status"] == "open"
                    and f["severity"] == "high")
    assert doc["summary"]["finding_counts"].get("high", 0) == open_high
    note = " ".join(doc["summary"]["warnings"])
    assert f"{len(rows)} stored findings of {SYSTEM}" in note
    assert "1 accepted" in note and "1 false positives do not" in note
    assert {s["file"] for s in doc["scans"] if s.get("origin") == "store"} == {str(OPENVAS),
                                                                             str(ZAP)}


def test_an_acceptance_past_its_expiry_counts_again(imported):
    tmp, store, rows = imported
    target = next(r for r in rows if r["severity"] == "high")
    until = (date.today() + timedelta(days=2)).isoformat()
    _cg("findings", "accept", str(target["id"]), "--reason", "临时接受", "--until", until,
        cwd=tmp, store=store)
    later = (date.today() + timedelta(days=10)).isoformat()
    doc = _assess(tmp, store, env={"CITYGUARD_TODAY": later})
    status = {f["fingerprint"]: f["status"] for f in doc["findings"]}
    assert status[target["fingerprint"]] == "reopened"  # open again: it counts
    # the same day for every command: findings list judges the expiry by CITYGUARD_TODAY too
    listed = _cg("findings", "list", "--system", SYSTEM, "--status", "accepted", "--format",
                 "json", cwd=tmp, store=store, env={"CITYGUARD_TODAY": later})
    assert json.loads(listed.stdout) == []
    assert doc["summary"]["finding_counts"]["high"] == sum(
        1 for f in doc["findings"] if f["severity"] == "high"
        and f["status"] in ("open", "reopened"))


def test_findings_since_leaves_stale_scans_out_and_says_so(imported):
    tmp, store, rows = imported
    doc = _assess(tmp, store, "--findings-since", (date.today() + timedelta(days=1)).isoformat())
    assert doc["findings"] == []
    assert any(f"{len(rows)} stored findings last seen before" in line
               for line in doc["summary"]["not_checked"])
    # findings of the scanners' own dates: the ZAP file was written in 2025, OpenVAS earlier
    some = _assess(tmp, store, "--findings-since", "2000-01-01")
    assert len(some["findings"]) == len(rows)


def test_source_code_findings_name_their_asset(tmp_path):
    if not CODEQL.is_file():
        pytest.skip("scanner corpus not found")
    (tmp_path / "empty").mkdir()
    store = tmp_path / "soc.db"
    doc = _assess(tmp_path, store, "--scan", str(CODEQL), "--asset", "portal-app")
    code = [f for f in doc["findings"] if f["tool"] == "sarif:codeql"]
    assert code and {f["asset_key"] for f in code} == {"portal-app"}
    again = _assess(tmp_path, store, "--scan", str(CODEQL))  # no --asset: the system's name
    assert {f["asset_key"] for f in again["findings"] if f["tool"] == "sarif:codeql"} == {SYSTEM}
    # the identity stays the scanned tree's: the same findings, not new ones
    assert {f["fingerprint"] for f in code} == {f["fingerprint"] for f in again["findings"]
                                                if f["tool"] == "sarif:codeql"}
