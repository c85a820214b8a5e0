"""The local target on this machine: files, commands, facts, and the target registry."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from cityguard.core.errors import UsageError
from cityguard.targets import TARGETS, LocalTarget, open_target, scheme_of


def test_reads_and_stats_real_files(tmp_path: Path) -> None:
    f = tmp_path / "x.conf"
    f.write_text("hello\n")
    f.chmod(0o640)
    t = open_target("local")
    assert isinstance(t, LocalTarget)
    assert t.read_bytes(str(f)) == b"hello\n"
    st = t.stat(str(f))
    assert st is not None and st.mode == 0o640 and st.size == 6 and st.uid == os.getuid()
    assert t.stat(str(tmp_path / "none")) is None
    assert t.list_dir(str(tmp_path)) == ["x.conf"]
    assert t.glob(str(tmp_path / "*.conf")) == [str(f)]
    with pytest.raises(IsADirectoryError):
        t.read_bytes(str(tmp_path))


def test_procfs_files_read_fully() -> None:
    # procfs reports size 0 and refuses a single huge read; the target reads in chunks
    t = LocalTarget()
    if not Path("/proc/sys/kernel/randomize_va_space").exists():
        pytest.skip("no /proc/sys on this machine")
    assert t.read_bytes("/proc/sys/kernel/randomize_va_space").strip().isdigit()


def test_runs_commands_without_a_shell() -> None:
    t = LocalTarget()
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    res = t.run([sys.executable, "-c", code], 10)
    assert (res.exit_code, res.stdout.strip(), res.stderr.strip()) == (3, "out", "err")
    res = t.run(["echo", "$HOME;", "id"], 5)
    assert res.stdout.strip() == "$HOME; id"  # no shell expansion
    env = t.run([sys.executable, "-c", "import os; print(os.environ['LC_ALL'])"], 5)
    assert env.stdout.strip() == "C"


def test_command_timeout_is_reported() -> None:
    res = LocalTarget().run(["sleep", "5"], 0.3)
    assert res.timed_out and res.duration_s < 3


def test_missing_program_raises() -> None:
    with pytest.raises(FileNotFoundError):
        LocalTarget().run(["definitely-not-a-program-xyz"], 5)


def test_facts_of_this_machine() -> None:
    f = LocalTarget().facts()
    assert f.hostname == socket.gethostname()
    if Path("/etc/os-release").exists():
        assert f.platform == "linux" and f.os_id and f.os_family != "unknown"
    assert isinstance(f.in_container, bool)


def test_registry_and_schemes(tmp_path: Path) -> None:
    assert {"local", "dir"} <= set(TARGETS.names())
    for name in TARGETS.names():
        assert TARGETS.get(name).name == name
    assert scheme_of("dir:/x") == "dir" and scheme_of("ssh://a@b") == "ssh"
    assert open_target("local", asset_id="web-01").asset_id == "web-01"
    assert open_target(f"dir:{tmp_path}", asset_id="cfg").asset_id == "cfg"
    with pytest.raises(UsageError, match="unknown target"):
        open_target("ftp://example")
    with pytest.raises(UsageError, match="unknown target"):
        open_target("nonsense")
