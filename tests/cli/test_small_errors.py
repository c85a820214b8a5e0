"""Issue 20 item 8: exit codes and the small error paths a new user meets first."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cityguard.cli._text import cell_width

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run([sys.executable, "-m", "cityguard", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(shutil.which("ssh") is None, reason="no OpenSSH client")
def test_an_unreachable_target_fails_the_run_and_comes_first(tmp_path):
    """Nothing listens on port 1: that host's checks are errors in the report, the other
    target is assessed, and the run exits 2 with the unreachable line before anything else."""
    p = _run("assess", "--target", "local", "--target", "ssh://nobody@127.0.0.1:1",
             "--no-store", "--output", str(tmp_path / "a.json"), "--connect-timeout", "5",
             cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    first = p.stderr.splitlines()[0]
    assert first.startswith("error: ssh://nobody@127.0.0.1:1") and "port 1" in first
    assert "1 target(s) could not be assessed" in p.stderr.splitlines()[-2] + p.stderr
    assert "无法测评的对象 1 个" in p.stdout
    assert (tmp_path / "a.json").is_file()  # the reports say which checks could not run


def test_grade_out_of_range_is_not_called_malformed(cli):
    res = cli("catalog", "--grade", "S9A2")
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: grade 'S9A2': S9 is out of range (S and A are " \
                                 "levels 1 to 5)"
    assert "not of the form" in cli("catalog", "--grade", "S3B2").stderr


def test_a_missing_manifest_is_one_line(tmp_path):
    p = _run("validate", "missing.yaml", cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        "error: missing.yaml: file not found (create one with `cityguard init`)"]


def test_importing_a_missing_file_prints_one_line_and_creates_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CITYGUARD_STORE"}
    p = _run("scans", "import", "nope.xml", cwd=tmp_path, env=env)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip().splitlines() == ["error: nope.xml: file not found"]
    assert list(tmp_path.iterdir()) == []  # no .cityguard/ store for nothing imported


def test_a_wrong_report_format_lists_every_accepted_name(cli, tmp_path):
    res = cli("assess", "--format", "docx", "--output", str(tmp_path / "x"))
    assert res.exit_code == 2
    known = res.stderr.split("known: ", 1)[1].strip().split(", ")
    assert {"csv", "csv_findings", "csv_items", "all", "html", "xlsx"} <= set(known)


def test_report_help_shows_the_run_form_the_readme_gives(cli):
    text = cli("report", "--help").stdout
    assert "[RUN_ID|latest|FILE.json]" in text and "diff RUN_A RUN_B" in text
    assert "cityguard report [RUN_ID" in (REPO / "README.md").read_text(encoding="utf-8")


def _all_help(cli) -> dict[str, str]:
    from typer.main import get_command

    from cityguard.cli import app

    out = {}

    def walk(cmd, path):
        out[" ".join(path) or "cityguard"] = cli(*path, "--help").stdout
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(get_command(app), ())
    return out


def test_metavars_read_as_words_not_python_types(cli):
    for command, text in _all_help(cli).items():
        for bad in ("<list[", "<str>", "<int>", "<float>", "<Path>", "<bool>"):
            assert bad not in text, (command, bad)


def test_help_at_80_columns_cuts_no_chinese_word(tmp_path):
    env = {**os.environ, "COLUMNS": "80"}
    for args in (["--help"], ["assess", "--help"], ["gate", "--help"], ["init", "--help"]):
        p = _run(*args, cwd=tmp_path, env=env)
        assert p.returncode == 0
        wide = [x for x in p.stdout.splitlines() if cell_width(x) > 80]
        assert wide == [], (args, wide)
    top = _run("--help", cwd=tmp_path, env=env).stdout
    assert any("(等级保护 2.0)" in line for line in top.splitlines())
