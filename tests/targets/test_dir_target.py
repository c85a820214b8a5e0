"""dir:PATH targets: reads stay inside the root, whatever links and `..` say."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cityguard.core.errors import TargetError
from cityguard.targets import CommandsUnavailable, DirTarget, open_target


def _tree(root: Path) -> Path:
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin no\n")
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n"
                                     "ops:x:1000:1000::/home/ops:/bin/bash\n")
    (root / "etc/group").write_text("root:x:0:\nops:x:1000:\n")
    (root / "etc/os-release").write_text(
        'ID=kylin\nVERSION_ID="V10"\nPRETTY_NAME="Kylin Linux Advanced Server V10"\n')
    (root / "etc/hostname").write_text("kylin-01\n")
    return root


def test_reads_files_under_the_root(tmp_path: Path) -> None:
    t = open_target(f"dir:{_tree(tmp_path)}")
    assert isinstance(t, DirTarget)
    assert t.read_bytes("/etc/ssh/sshd_config") == b"PermitRootLogin no\n"
    st = t.stat("/etc/ssh/sshd_config")
    assert st is not None and st.path == "/etc/ssh/sshd_config" and st.is_file
    assert t.stat("/etc/nothing") is None
    assert t.list_dir("/etc/ssh") == ["sshd_config"]
    assert t.list_dir("/nope") == []
    assert t.asset_id == tmp_path.name


def test_dotdot_and_absolute_symlinks_stay_inside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("host file")
    root = _tree(tmp_path / "root")
    os.symlink("/etc/passwd", root / "etc/abs_link")  # absolute: means ROOT/etc/passwd
    os.symlink("../../outside/secret", root / "etc/rel_escape")
    os.symlink("/", root / "etc/rootlink")
    t = DirTarget(f"dir:{root}")
    assert t.read_bytes("/etc/abs_link").startswith(b"root:x:0:0")
    with pytest.raises(FileNotFoundError):
        t.read_bytes("/etc/rel_escape")  # ../.. stops at the root: ROOT/outside/secret
    with pytest.raises(FileNotFoundError):
        t.read_bytes("/../../../outside/secret")
    assert t.read_bytes("/etc/rootlink/etc/hostname") == b"kylin-01\n"
    st = t.stat("/etc/abs_link")
    assert st is not None and st.is_link


def test_symlink_loop_is_an_error_not_a_hang(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.symlink("b", root / "etc/a")
    os.symlink("a", root / "etc/b")
    t = DirTarget(f"dir:{root}")
    with pytest.raises(OSError):
        t.read_bytes("/etc/a")
    os.symlink("/etc", root / "etc/loopdir")
    assert "/etc/ssh/sshd_config" in t.glob("/etc/**/sshd_config")


def test_glob(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "etc/ssh/sshd_config.d").mkdir()
    (root / "etc/ssh/sshd_config.d/10-a.conf").write_text("X 1\n")
    (root / "etc/ssh/sshd_config.d/.hidden.conf").write_text("X 2\n")
    t = DirTarget(f"dir:{root}")
    assert t.glob("/etc/ssh/sshd_config.d/*.conf") == ["/etc/ssh/sshd_config.d/10-a.conf"]
    assert t.glob("/etc/**/*.conf") == ["/etc/ssh/sshd_config.d/10-a.conf"]
    assert t.glob("/etc/ss?/sshd_config") == ["/etc/ssh/sshd_config"]
    assert t.glob("/etc/passwd") == ["/etc/passwd"]
    assert t.glob("/etc/none/*") == []


def test_no_commands_and_facts(tmp_path: Path) -> None:
    t = DirTarget(f"dir:{_tree(tmp_path)}")
    assert not t.can_run_commands
    with pytest.raises(CommandsUnavailable, match="dir: target runs no commands"):
        t.run(["true"], 1)
    f = t.facts()
    assert (f.os_family, f.os_id, f.os_version, f.hostname, f.platform) == (
        "kylin", "kylin", "V10", "kylin-01", "linux")
    assert not f.in_container


def test_owner_names_come_from_the_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "etc/passwd").write_text(f"someone:x:{os.getuid()}:{os.getgid()}::/:/bin/sh\n")
    (root / "etc/group").write_text(f"somegroup:x:{os.getgid()}:\n")
    st = DirTarget(f"dir:{root}").stat("/etc/hostname")
    assert st is not None and (st.owner, st.group) == ("someone", "somegroup")


def test_empty_tree_has_unknown_platform(tmp_path: Path) -> None:
    f = DirTarget(f"dir:{tmp_path}").facts()
    assert (f.platform, f.os_family) == ("unknown", "unknown")


def test_bad_dir_specs(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="not a directory"):
        open_target(f"dir:{tmp_path / 'missing'}")
    with pytest.raises(TargetError, match="needs a path"):
        open_target("dir:")


def test_fifo_is_not_read(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.mkfifo(root / "etc/fifo")
    with pytest.raises(OSError, match="not a regular file"):
        DirTarget(f"dir:{root}").read_bytes("/etc/fifo")
