"""A host file over 16 MiB is an `error` result with the reason, on every target, never a prefix.

Before the fix every target read the first 16 MiB and the checks judged that: an sshd_config of
20 MB of padding followed by `PermitEmptyPasswords yes` passed. The files here are sparse (20 MB
long, a few KB on disk).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bounded import run_bounded

from cityguard.core.errors import FileTooLarge
from cityguard.core.limits import MAX_TARGET_FILE
from cityguard.targets.dir import DirTarget
from cityguard.targets.local import LocalTarget, read_limited
from sshd_server import SSHServer, sshd_available, start_sshd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
CHECK = "ssh.sshd.empty_passwords_refused"
SIZE = 20 * 1024 * 1024


def _padded_sshd_config(path: Path) -> None:
    """20 MB of nothing (a hole), then the line that must fail the check."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.seek(SIZE)
        fh.write(b"\nPermitEmptyPasswords yes\n")


def test_local_and_dir_targets_refuse_instead_of_cutting(tmp_path: Path) -> None:
    big = tmp_path / "etc" / "ssh" / "sshd_config"
    _padded_sshd_config(big)
    with pytest.raises(FileTooLarge) as err:
        LocalTarget().read_bytes(str(big))
    assert "file too large (20.0 MiB, over the 16 MiB" in str(err.value)
    with pytest.raises(FileTooLarge):
        DirTarget(f"dir:{tmp_path}").read_bytes("/etc/ssh/sshd_config")
    # exactly at the limit is read whole
    exact = tmp_path / "exact"
    with exact.open("wb") as fh:
        fh.truncate(MAX_TARGET_FILE)
    assert len(LocalTarget().read_bytes(str(exact))) == MAX_TARGET_FILE


def test_a_file_that_grows_or_lies_about_its_size_is_refused_too() -> None:
    """procfs files report size 0: the reader itself stops one byte past the limit."""
    assert read_limited(io.BytesIO(b"x" * 10), 10, "/proc/x") == b"x" * 10
    with pytest.raises(FileTooLarge):
        read_limited(io.BytesIO(b"x" * 11), 10, "/proc/x")


def _result(report: Path) -> dict:
    doc = json.loads(report.read_text(encoding="utf-8"))
    return next(r for r in doc["results"] if r["check_id"] == CHECK)


def test_assess_gives_error_with_the_reason(tmp_path: Path) -> None:
    root = tmp_path / "host"
    shutil.copytree(FIXTURES / CHECK / "pass", root)
    _padded_sshd_config(root / "etc" / "ssh" / "sshd_config")
    out = tmp_path / "r.json"
    p = run_bounded("assess", "--target", f"dir:{root}", "--only", CHECK, "--format", "json",
                    "--output", str(out), "--no-store", "-q", cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    result = _result(out)
    assert result["status"] == "error"  # was "pass": the prefix had no such line
    assert "file too large" in result["reason"] and "not judged on a part" in result["reason"]


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SSHServer]:
    if not sshd_available():
        pytest.skip("OpenSSH server (sshd) not installed: apt-get install openssh-server")
    srv = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield srv
    srv.stop()


def test_ssh_target_refuses_too(ssh_server: SSHServer) -> None:
    from cityguard.targets.ssh import SSHOptions, SSHTarget

    # the SSH login may be an unprivileged account: a world-readable folder outside tmp_path
    shared = Path(tempfile.mkdtemp(prefix="cityguard-bigfile-"))
    try:
        os.chmod(shared, 0o755)
        big = shared / "sshd_config"
        _padded_sshd_config(big)
        os.chmod(big, 0o644)
        target = SSHTarget(ssh_server.spec, SSHOptions(config_file=str(ssh_server.ssh_config)))
        try:
            with pytest.raises(FileTooLarge):
                target.read_bytes(str(big))
            small = shared / "small"
            small.write_bytes(b"PermitEmptyPasswords no\n")
            os.chmod(small, 0o644)
            assert target.read_bytes(str(small)) == b"PermitEmptyPasswords no\n"
            with pytest.raises(FileTooLarge):  # cached, but asked with a smaller limit
                target.read_bytes(str(small), 4)
        finally:
            target.close()
    finally:
        shutil.rmtree(shared)
