"""Temporary files that a killed run leaves behind are removed by the next run: only ours,
only stale ones.

Before the fix `kill -9` during `assess` left hidden `.assessment.*.tmp` files (up to 250 MB)
in the report folder that no later run removed. A real process is killed here with SIGKILL
while it writes a report through core/atomicfiles.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from bounded import run_bounded

from cityguard.core import atomicfiles

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
CHECK = "ssh.sshd.empty_passwords_refused"
OLD = time.time() - 2 * atomicfiles.STALE_TEMP_SECONDS

_KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from cityguard.core.atomicfiles import Staged
    staged = Staged(Path(sys.argv[1]))
    staged.fh.write(b"{" * 100_000)
    staged.fh.flush()
    os.kill(os.getpid(), signal.SIGKILL)
""")


def _killed_leftover(dest: Path) -> Path:
    """Start a writer of `dest`, kill it with SIGKILL mid-write; its temporary file."""
    p = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(dest)], timeout=60)
    assert p.returncode == -signal.SIGKILL
    (left,) = [f for f in dest.parent.iterdir() if f.name.startswith(f".{dest.name}.")]
    return left


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    host = tmp_path / "host"
    shutil.copytree(FIXTURES / CHECK / "pass", host)
    out = tmp_path / "out"
    out.mkdir()
    killed = _killed_leftover(out / "assessment.json")
    os.utime(killed, (OLD, OLD))
    fresh = out / ".assessment.html.abcd1234.tmp"  # a run writing right now: too young
    fresh.write_bytes(b"x")
    held = out / ".assessment.md.efgh5678.tmp"  # old, but its writer is alive (holds the lock)
    held.write_bytes(b"x")
    os.utime(held, (OLD, OLD))
    not_ours = [out / ".notes.txt.abcd1234.tmp", out / "assessment.json.tmp",
                out / ".assessment.json.short.tmp"]
    for f in not_ours:
        f.write_bytes(b"x")
        os.utime(f, (OLD, OLD))
    link = out / ".findings.csv.ijkl9012.tmp"  # a link is never followed nor removed
    link.symlink_to(tmp_path / "elsewhere")
    with held.open("rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        p = run_bounded("assess", "--target", f"dir:{host}", "--only", CHECK, "--format",
                        "json,html", "--output", str(out), "--no-store", "-q", cwd=tmp_path,
                        timeout=120)
    assert p.returncode == 0, p.stderr
    assert not killed.exists()
    assert fresh.exists() and held.exists() and link.is_symlink()
    assert all(f.exists() for f in not_ours)
    assert (out / "assessment.json").is_file()


def test_stale_detection_rules(tmp_path: Path) -> None:
    old = tmp_path / ".items.csv.a1B2c3D4.tmp"
    old.write_bytes(b"x")
    os.utime(old, (OLD, OLD))
    assert atomicfiles.remove_stale_temps(tmp_path, ["findings.csv"]) == []  # not its name
    assert atomicfiles.remove_stale_temps(tmp_path, ["items.csv"], now=OLD + 1) == []  # young
    assert atomicfiles.remove_stale_temps(tmp_path, ["items.csv"]) == [old.name]
