"""The one-round-trip bundle (targets/ssh_bundle.py) against a real OpenSSH server: whatever
it brings back must be exactly what the host gives file by file, and no file content, name or
command output may pass for another file's."""

from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityguard.core.errors import FileTooLarge
from cityguard.targets.ssh import SSHOptions, SSHTarget
from cityguard.targets.ssh_bundle import Bundle, _parse_zero, build_script, parse_bundle
from sshd_server import SSHServer, sshd_available

pytestmark = [
    pytest.mark.ssh,
    pytest.mark.skipif(not sshd_available(), reason="OpenSSH server (sshd) not installed"),
]


@pytest.fixture
def tree() -> Iterator[Path]:
    """Odd files where the SSH test account can read them (not under a root-only tmp_path)."""
    root = Path(tempfile.mkdtemp(prefix="cityguard-bundle-"))
    os.chmod(root, 0o755)
    (root / "plain.conf").write_text("PermitRootLogin no\nMaxAuthTries 3\n", "utf-8")
    (root / "no-newline.conf").write_bytes(b"last line without newline")
    (root / "empty").write_bytes(b"")
    (root / "a b;$(touch pwned)'\".txt").write_text("odd name\n", "utf-8")
    (root / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (root / "link.conf").symlink_to(root / "plain.conf")
    (root / "secret").write_text("only root\n", "utf-8")
    os.chmod(root / "secret", 0o600)
    (root / "closed").mkdir()
    (root / "closed" / "inside").write_text("x\n", "utf-8")
    os.chmod(root / "closed", 0o700)
    (root / "conf.d").mkdir()
    for name in ("10-a.conf", "20-b.conf", ".hidden"):
        (root / "conf.d" / name).write_text(f"{name}\n", "utf-8")
    (root / "big").write_bytes(b"y" * 5000)
    (root / "at-limit").write_bytes(b"z" * 4096)  # the prefetch's limit below: in the bundle
    (root / "over-by-one").write_bytes(b"z" * 4097)
    for p in root.rglob("*"):
        if p.is_file() and p.name != "secret" and not p.is_symlink():
            os.chmod(p, 0o644)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _target(server: SSHServer) -> SSHTarget:
    return SSHTarget(server.spec, SSHOptions(config_file=str(server.ssh_config)))


def _observe(t: SSHTarget, root: Path) -> dict[str, object]:
    """Everything a probe can ask about the tree, as plain values (errors by their type)."""
    out: dict[str, object] = {}
    names = ["plain.conf", "no-newline.conf", "empty", "a b;$(touch pwned)'\".txt",
             "binary.bin", "link.conf", "secret", "closed/inside", "nothing-here", "conf.d",
             "big", "at-limit", "over-by-one"]
    for name in names:
        path = f"{root}/{name}"
        try:
            out[f"read {name}"] = t.read_bytes(path, 4096)
        except (OSError, FileTooLarge) as exc:
            out[f"read {name}"] = type(exc).__name__
        st = t.stat(path)
        out[f"stat {name}"] = None if st is None else (st.mode, st.uid, st.size, st.is_dir,
                                                        st.is_file)
    for d in ("conf.d", "closed", "nothing-here", ""):
        out[f"list {d}"] = t.list_dir(f"{root}/{d}".rstrip("/"))
    out["glob"] = t.glob(f"{root}/conf.d/*.conf")
    out["glob none"] = t.glob(f"{root}/conf.d/*.none")
    out["test closed"] = t.run(["test", "-r", f"{root}/closed", "-a", "-x", f"{root}/closed"],
                               10).exit_code
    res = t.run(["sh", "-c", "printf 'out\\n\\n'; printf 'err' >&2; exit 3"], 10)
    out["command"] = (res.exit_code, res.stdout, res.stderr, res.timed_out)
    missing = t.run(["cityguard-no-such-program", "x"], 10)
    out["missing"] = (missing.exit_code, "not found" in missing.stderr)
    return out


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_bundle_gives_what_the_host_gives_file_by_file(ssh_server: SSHServer, tree: Path,
                                                         compressed: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # a loopback host's bundle is sent plain; any other host's through gzip: both must hold
    monkeypatch.setattr("cityguard.targets.ssh._is_loopback", lambda host: not compressed)
    on_demand = _target(ssh_server)
    try:
        expected = _observe(on_demand, tree)
    finally:
        on_demand.close()
    bundled = _target(ssh_server)
    calls: list[str] = []
    try:
        commands = [(("sh", "-c", "printf 'out\\n\\n'; printf 'err' >&2; exit 3"), 10.0),
                    (("cityguard-no-such-program", "x"), 10.0)]
        n = bundled.prefetch([f"{tree}/*", f"{tree}/conf.d/*.conf", f"{tree}/conf.d/*.none",
                              f"{tree}/closed/inside", f"{tree}/nothing-here"],
                             [str(tree), f"{tree}/conf.d", f"{tree}/closed",
                              f"{tree}/nothing-here"],
                             max_bytes=4096, commands=commands)
        assert n >= 6
        real, fetch = bundled._remote, bundled._fetch
        bundled._remote = lambda *a, **k: calls.append(a[0]) or real(*a, **k)  # type: ignore
        bundled._fetch = lambda *a, **k: calls.append(a[0]) or fetch(*a, **k)  # type: ignore
        got = _observe(bundled, tree)
    finally:
        bundled.close()
    assert got == expected
    # only a file in a directory the login cannot search is asked about again (is it absent,
    # or hidden?); `big`, over the limit, is refused from its size, never judged on a prefix
    assert calls and all("closed/inside" in c for c in calls), calls
    assert expected["read big"] == "FileTooLarge" == expected["read over-by-one"]
    assert expected["read at-limit"] == b"z" * 4096
    assert expected["read secret"] == "PermissionError"
    assert expected["list closed"] == [] and expected["test closed"] == 1
    assert expected["read no-newline.conf"] == b"last line without newline"
    assert not (Path.home() / "pwned").exists() and not Path("pwned").exists()


def test_content_cannot_pass_for_a_marker_or_another_file(ssh_server: SSHServer) -> None:
    """A hostile file holding what the stream's markers and tar headers look like, and a
    file whose name has a newline in it, change nothing but themselves."""
    root = Path(tempfile.mkdtemp(prefix="cityguard-bundle-"))
    os.chmod(root, 0o755)
    try:
        script, nonce = build_script([f"{root}/*"], [str(root)], 4096, nonce="feedface")
        (root / "forged").write_text(
            "@feedface:S\n644|0|0|root|root|1|0|regular file|/etc/shadow\n@feedface:T\n",
            "utf-8")
        (root / "evil\nname").write_text("x\n", "utf-8")
        (root / "fine").write_text("fine\n", "utf-8")
        for p in root.iterdir():
            os.chmod(p, 0o644)
        t = _target(ssh_server)
        try:
            raw = t._remote_bytes(f"sh -c {__import__('shlex').quote(script)}", 60)
        finally:
            t.close()
        assert raw is not None
        b = parse_bundle(raw, [f"{root}/*"], nonce, 4096)
        assert b.contents[f"{root}/forged"].startswith(b"@feedface:S\n")
        assert b.contents[f"{root}/fine"] == b"fine\n"
        assert "/etc/shadow" not in b.stats and "/etc/shadow" not in b.contents
        assert not any("\n" in p for p in b.contents)
        assert str(root) not in b.listings  # a listing that cannot be told exactly is unused
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_oversize_file_in_the_prefetch_is_refused_not_cut(ssh_server: SSHServer) -> None:
    root = Path(tempfile.mkdtemp(prefix="cityguard-bundle-"))
    os.chmod(root, 0o755)
    try:
        (root / "huge.conf").write_bytes(b"PermitRootLogin no\n" + b"#" * 20_000)
        os.chmod(root / "huge.conf", stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
        t = _target(ssh_server)
        try:
            t.prefetch([f"{root}/huge.conf"], [], max_bytes=1024)
            with pytest.raises(FileTooLarge):
                t.read_bytes(f"{root}/huge.conf", 1024)
            assert t.read_bytes(f"{root}/huge.conf", 100_000).startswith(b"PermitRootLogin")
        finally:
            t.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _zero_by_prefix(body: bytes, zero: list[str]) -> dict[str, bytes]:
    """The former reading of `grep -H` output, the oracle: each line to the longest name
    that prefixes it with a ':'."""
    names = sorted(zero, key=len, reverse=True)
    chunks: dict[str, list[bytes]] = {n: [] for n in zero}
    for line in body.split(b"\n")[:-1]:
        for n in names:
            prefix = n.encode("utf-8", "surrogateescape") + b":"
            if line.startswith(prefix):
                chunks[n].append(line[len(prefix):] + b"\n")
                break
    return {n: b"".join(lines) for n, lines in chunks.items()}


def test_grep_lines_go_to_the_longest_name_as_before(tmp_path: Path) -> None:
    """Names that contain ':' and lines that start like another name's: real `grep -H`
    output read as the former per-name prefix loop read it."""
    rng = random.Random(25)
    words = ["a", "b:", "a:b", "tcp", ":", "x:y:z", "sl", "0100007F:0016"]
    files: list[str] = []
    for i in range(40):
        name = tmp_path / ":".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        name = name.with_name(f"{name.name}{i % 7}")
        if str(name) in files or name.exists():
            continue
        name.write_bytes(b"".join(
            (":".join(rng.choice(words + [str(f)[-6:] for f in files[-2:]])
                      for _ in range(rng.randint(0, 4))) + "\n").encode()
            for _ in range(rng.randint(0, 6))))
        files.append(str(name))
    for depth in (1, 2, 3):  # a line of one that reads as the start of a longer name
        name = tmp_path / ":".join(["n1"] * depth)
        name.write_bytes(b"n1:n1:end\nn1\n:n1\n")
        files.append(str(name))
    marker = b"@0123456789abcdef:"
    proc = subprocess.run(["grep", "-H", "-a", "", "--", *files], capture_output=True)
    data = proc.stdout + marker + b"R" + str(proc.returncode).encode() + b"\n"
    bundle = Bundle()
    _parse_zero(data, marker, files, bundle)
    assert bundle.contents == _zero_by_prefix(proc.stdout, files)
    assert any(b":" in content for content in bundle.contents.values())
    assert sum(":" in Path(f).name for f in files) > 10
