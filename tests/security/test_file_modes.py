"""Reports are private: files 0600, the folders cityguard creates for them 0700.

Before the fix reports were written 0644 in 0755 folders, so every finding and every quoted
piece of evidence was readable by any local user. CITYGUARD_REPORT_MODE shares them on
purpose (docs/security.md). Runs are real processes with the usual umask 022.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from bounded import assert_refused, run_bounded

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
CHECK = "ssh.sshd.empty_passwords_refused"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def host(tmp_path: Path) -> Path:
    root = tmp_path / "host"
    shutil.copytree(FIXTURES / CHECK / "fail", root)
    return root


def _assess(host: Path, out: Path, *extra: str, env: dict[str, str] | None = None):
    old = os.umask(0o022)
    try:
        return run_bounded("assess", "--target", f"dir:{host}", "--only", CHECK, "--format",
                           "json,html,csv,xlsx", "--output", str(out), "--no-store", "-q",
                           *extra, cwd=host.parent, env=env, timeout=120)
    finally:
        os.umask(old)


def test_reports_are_0600_in_folders_made_0700(host: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "city-portal"
    p = _assess(host, out)
    assert p.returncode == 0, p.stderr
    files = sorted(out.iterdir())
    assert len(files) >= 5
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    assert _mode(out) == 0o700 and _mode(out.parent) == 0o700


def test_an_existing_folder_keeps_its_mode(host: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    out.mkdir(mode=0o755)
    os.chmod(out, 0o755)
    assert _assess(host, out).returncode == 0
    assert _mode(out) == 0o755  # the user's folder: not ours to change
    assert all(_mode(f) == 0o600 for f in out.iterdir())


def test_report_mode_can_be_configured(host: Path, tmp_path: Path) -> None:
    out = tmp_path / "team" / "out"
    p = _assess(host, out, env={"CITYGUARD_REPORT_MODE": "0640"})
    assert p.returncode == 0, p.stderr
    assert all(_mode(f) == 0o640 for f in out.iterdir())
    assert _mode(out) == 0o750 and _mode(out.parent) == 0o750


@pytest.mark.parametrize("bad", ["0777", "0400", "rw", "01600"])
def test_a_bad_report_mode_is_refused_before_the_run(host: Path, tmp_path: Path,
                                                      bad: str) -> None:
    out = tmp_path / "out"
    p = _assess(host, out, env={"CITYGUARD_REPORT_MODE": bad})
    assert_refused(p, "CITYGUARD_REPORT_MODE")
    assert not out.exists()


def test_report_render_and_diff_write_private_files(host: Path, tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    p = run_bounded("assess", "--target", f"dir:{host}", "--only", CHECK, "--format", "json",
                    "--output", str(run), "--no-store", "-q", cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    again = tmp_path / "again" / "a.html"
    p = run_bounded("report", str(run), "--format", "html", "--output", str(again),
                    cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    assert _mode(again) == 0o600 and _mode(again.parent) == 0o700
    diff = tmp_path / "diffs" / "d.html"
    p = run_bounded("report", "diff", str(run), str(run), "--format", "html", "--output",
                    str(diff), cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    assert _mode(diff) == 0o600 and _mode(diff.parent) == 0o700
