"""`cityguard assess` end to end: in-process (CliRunner) and as a real process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[2]
HOSTS = REPO / "tests" / "fixtures" / "hosts"
WEAK, HARDENED = HOSTS / "weak", HOSTS / "hardened"
SCHEMA = REPO / "src" / "cityguard" / "schemas" / "assessment.schema.json"

pytestmark = pytest.mark.skipif(not WEAK.is_dir() or not HARDENED.is_dir(),
                                reason="host fixture roots are missing")


def _validate(doc: dict) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]


def test_no_arguments_assesses_this_host(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("assess")
    assert res.exit_code == 0, res.output
    report = tmp_path / "cityguard-report" / "assessment.json"
    doc = json.loads(report.read_text(encoding="utf-8"))
    _validate(doc)
    assert doc["selection"]["level"] == 3 and doc["assets"][0]["target"] == "local"
    assert len(doc["results"]) > 50
    assert "控制点" in res.output and "身份鉴别" in res.output  # the summary table
    assert "已写入 cityguard-report/assessment.json" in res.output


def test_dir_target_to_a_file(cli, tmp_path: Path) -> None:
    out = tmp_path / "weak.json"
    res = cli("assess", "--target", f"dir:{WEAK}", "--format", "json", "--output", str(out),
              "--lang", "en", "--jobs", "2")
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    _validate(doc)
    statuses = {r["status"] for r in doc["results"]}
    assert "fail" in statuses and "error" not in statuses
    assert all(r["asset"] == "weak" for r in doc["results"])
    failing = [r for r in doc["results"] if r["status"] == "fail"]
    assert all(r["unit_ids"] and r["evidence"] for r in failing)
    assert "control point" in res.output and f"wrote {out}" in res.output


def test_several_assets_and_formats_into_a_directory(cli, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    res = cli("assess", "--target", f"dir:{WEAK}", "--target", f"dir:{HARDENED}",
              "--format", "json,md", "--output", str(out))
    assert res.exit_code == 0, res.output
    assert (out / "assessment.json").is_file()
    assert len(list(out.iterdir())) == 2
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert {a["id"] for a in doc["assets"]} == {"weak", "hardened"}


def test_fail_on(cli, tmp_path: Path) -> None:
    weak = cli("assess", "--target", f"dir:{WEAK}", "--fail-on", "high",
               "--output", str(tmp_path / "w.json"))
    assert weak.exit_code == 1
    assert "failed check(s) and 0 open finding(s) at or above high" in weak.output
    assert (tmp_path / "w.json").is_file()  # the report is written before the gate
    # a world-readable shadow is critical: give the copy the mode git cannot keep (modes.yaml)
    hardened_root = tmp_path / "hardened"
    shutil.copytree(HARDENED, hardened_root, symlinks=True)
    (hardened_root / "etc/shadow").chmod(0o640)
    hardened = cli("assess", "--target", f"dir:{hardened_root}", "--fail-on", "critical",
                   "--output", str(tmp_path / "h.json"))
    assert hardened.exit_code == 0, hardened.output
    bad = cli("assess", "--target", f"dir:{HARDENED}", "--fail-on", "severe")
    assert bad.exit_code == 2 and "--fail-on must be one of" in bad.output


def test_only_skip_level_and_grade(cli, tmp_path: Path) -> None:
    out = tmp_path / "o.json"
    res = cli("assess", "--target", f"dir:{WEAK}", "--only", "L3-CES1-01", "--output", str(out))
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["results"] and all("L3-CES1-01" in r["unit_ids"] for r in doc["results"])
    res = cli("assess", "--target", f"dir:{WEAK}", "--grade", "S3A2", "--ext", "cloud",
              "--output", str(out))
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["system"]["grade"] == "S3A2" and doc["selection"]["extensions"] == ["cloud"]
    assert cli("assess", "--level", "2", "--grade", "S3A3").exit_code == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "ftp://x"], "unknown target 'ftp://x'"),
    (["--target", "dir:/definitely/not/here"], "is not a directory"),
    (["--only", "no.such.check"], "neither a check id nor a unit id"),
    (["--checks", "/definitely/not/here"], "does not exist"),
    (["--format", "nope"], "unknown report format 'nope'"),
    (["--jobs", "0"], "--jobs must be at least 1"),
    (["--lang", "fr"], "--lang must be zh or en"),
])
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path: Path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("assess", "--target", f"dir:{WEAK}", *args)
    assert res.exit_code == 2
    assert message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "cityguard-report").exists()


def test_broken_check_library_names_file_and_line(cli, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "bad.yaml").write_text("checks:\n  - id: site.bad.check\n    severity: loud\n")
    out = tmp_path / "never.json"
    res = cli("assess", "--target", f"dir:{WEAK}", "--checks", str(lib), "--output", str(out))
    assert res.exit_code == 2
    assert f"{lib / 'bad.yaml'}:2" in res.output
    assert not out.exists()


def test_a_scan_that_is_not_a_scan_is_one_line_and_writes_nothing(cli, tmp_path: Path) -> None:
    scan = tmp_path / "scan.xml"
    scan.write_text("<x/>")
    out = tmp_path / "a.json"
    res = cli("assess", "--target", f"dir:{HARDENED}", "--scan", str(scan), "--output", str(out))
    assert res.exit_code == 2
    assert "scan.xml" in res.stderr and res.stderr.strip().count("\n") == 0
    assert not out.exists()


def test_a_real_process_writes_schema_valid_json(cityguard_proc, tmp_path: Path) -> None:
    out = tmp_path / "proc.json"
    proc = cityguard_proc("assess", "--target", f"dir:{WEAK}", "--format", "json",
                          "--output", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    _validate(doc)
    for r in doc["results"]:
        assert {"check_id", "asset", "status", "severity", "unit_ids", "evidence"} <= set(r)
    bad = cityguard_proc("assess", "--target", "dir:/definitely/not/here", cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
