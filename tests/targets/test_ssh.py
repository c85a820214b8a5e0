"""The ssh:// target against a real OpenSSH server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from cityguard.core.errors import TargetError, UsageError
from cityguard.targets.ssh import SSHOptions, SSHTarget, parse_ssh_spec
from sshd_server import SSHServer, free_port, sshd_available

pytestmark = [
    pytest.mark.ssh,
    pytest.mark.skipif(not sshd_available(), reason="OpenSSH server (sshd) not installed"),
]


@pytest.fixture
def server(ssh_server: SSHServer) -> SSHServer:
    return ssh_server


def _target(server: SSHServer, **kw) -> SSHTarget:
    opts = SSHOptions(config_file=str(server.ssh_config), **kw)
    return SSHTarget(server.spec, opts)


def test_parse_spec():
    assert parse_ssh_spec("ssh://ops@10.0.0.5:2222") == ("ops", "10.0.0.5", 2222)
    assert parse_ssh_spec("ssh://bastion-hop") == (None, "bastion-hop", None)
    assert parse_ssh_spec("ssh://u@[::1]:22") == ("u", "::1", 22)
    with pytest.raises(UsageError):
        parse_ssh_spec("ssh://")
    with pytest.raises(UsageError):
        parse_ssh_spec("ssh://h:notaport")


def test_reads_files_like_the_local_machine(server):
    t = _target(server)
    try:
        assert t.read_bytes("/etc/passwd") == Path("/etc/passwd").read_bytes()
        st = t.stat("/etc/passwd")
        local = Path("/etc/passwd").stat()
        assert st is not None and st.mode == local.st_mode & 0o7777 and st.uid == local.st_uid
        assert st.is_file and not st.is_dir
        assert t.stat("/nonexistent/file") is None
        with pytest.raises(FileNotFoundError):
            t.read_bytes("/nonexistent/file")
        assert "passwd" in t.list_dir("/etc")
        assert "/etc/passwd" in t.glob("/etc/pass*")
        assert t.glob("/etc/does-not-exist-*") == []
        facts = t.facts()
        assert facts.os_family != "unknown" and facts.hostname == socket.gethostname()
    finally:
        t.close()


def test_paths_with_spaces_and_shell_characters_are_not_interpreted(server):
    tmp_path = Path(tempfile.mkdtemp(prefix="cityguard-odd-"))
    os.chmod(tmp_path, 0o755)  # readable by the SSH test account
    odd = tmp_path / "a b;$(touch pwned)'\".txt"
    odd.write_text("content", encoding="utf-8")
    os.chmod(odd, 0o644)
    t = _target(server)
    try:
        assert t.read_bytes(str(odd)) == b"content"
        assert t.glob(str(tmp_path) + "/a b*") == [str(odd)]
        assert not (Path.home() / "pwned").exists() and not Path("pwned").exists()
    finally:
        t.close()


def test_commands_run_with_exit_code_and_timeout(server):
    t = _target(server)
    try:
        res = t.run(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=10)
        assert (res.exit_code, res.stdout.strip(), res.stderr.strip()) == (3, "out", "err")
        started = time.monotonic()
        slow = t.run(["sleep", "5"], timeout=0.5)
        assert slow.timed_out and time.monotonic() - started < 4
    finally:
        t.close()


def test_wrong_host_key_is_refused(server, tmp_path):
    other = tmp_path / "known_hosts"
    other.write_text(
        f"[127.0.0.1]:{server.port} ssh-ed25519 "
        "AAAAC3NzaC1lZDI1NTE5AAAAIDJVhGeWz9mqzGOVgfWSo0i8W1y3g8vk0PeJmtPVDhxz\n",
        encoding="utf-8",
    )
    t = SSHTarget(server.spec, SSHOptions(config_file=str(server.ssh_config),
                                          known_hosts=str(other)))
    with pytest.raises(TargetError, match="(?i)host key"):
        t.read_bytes("/etc/hostname")
    t.close()


def test_unknown_host_key_needs_the_explicit_flag(server, tmp_path):
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("", encoding="utf-8")
    strict = SSHTarget(server.spec, SSHOptions(config_file=str(server.ssh_config),
                                               known_hosts=str(empty)))
    with pytest.raises(TargetError):
        strict.connect()
    strict.close()
    accepting = SSHTarget(server.spec, SSHOptions(config_file=str(server.ssh_config),
                                                  known_hosts=str(empty),
                                                  accept_new_host_keys=True))
    accepting.connect()
    accepting.close()
    assert server.host_pub.split()[1] in empty.read_text()


def test_unreachable_port_is_one_clear_error(server):
    spec = f"ssh://{server.user}@127.0.0.1:{free_port()}"
    t = SSHTarget(spec, SSHOptions(config_file=str(server.ssh_config), connect_timeout=3))
    with pytest.raises(TargetError) as exc:
        t.connect()
    assert "refused" in str(exc.value).lower()
    assert "\n" not in str(exc.value)


def test_stalling_host_times_out(server):
    """A peer that accepts TCP but never speaks SSH: the connect timeout ends the wait."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(5)
    port = lsock.getsockname()[1]
    held = []

    def accept_and_hold():
        try:
            while True:
                conn, _ = lsock.accept()
                held.append(conn)
        except OSError:
            return

    threading.Thread(target=accept_and_hold, daemon=True).start()
    t = SSHTarget(f"ssh://{server.user}@127.0.0.1:{port}",
                  SSHOptions(config_file=str(server.ssh_config), connect_timeout=2))
    started = time.monotonic()
    with pytest.raises(TargetError):
        t.connect()
    assert time.monotonic() - started < 10
    lsock.close()
    for c in held:
        c.close()


def test_proxyjump_through_a_bastion_from_ssh_config(server, tmp_path):
    """Government networks reach hosts through bastions; ~/.ssh/config style ProxyJump works."""
    known = tmp_path / "known_hosts"
    known.write_text(
        server.known_hosts.read_text() + f"[localhost]:{server.port} {server.host_pub}\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "ssh_config"
    cfg.write_text(
        server.ssh_config.read_text().replace(str(server.known_hosts), str(known))
        + f"\nHost inner-host\n  HostName localhost\n  Port {server.port}\n"
        f"  User {server.user}\n  ProxyJump {server.user}@127.0.0.1:{server.port}\n",
        encoding="utf-8",
    )
    t = SSHTarget("ssh://inner-host", SSHOptions(config_file=str(cfg)))
    try:
        assert t.read_bytes("/etc/hostname") == Path("/etc/hostname").read_bytes()
    finally:
        t.close()


def test_sudo_mode_prefixes_reads(server):
    t = _target(server, sudo=True)
    try:
        # running as root (CI) sudo may be absent; either it works or it fails clearly
        try:
            data = t.read_bytes("/etc/hostname")
        except OSError:
            return
        assert data == Path("/etc/hostname").read_bytes()
    finally:
        t.close()


def test_prefetch_reads_many_files_in_one_round_trip(server, monkeypatch):
    t = _target(server)
    try:
        t.connect()
        n = t.prefetch(["/etc/passwd", "/etc/os-release", "/etc/ssh/*_config", "/etc/nope",
                        "/proc/net/tcp"])
        assert n >= 3
        calls = []
        real = t._remote
        monkeypatch.setattr(t, "_remote", lambda *a, **k: calls.append(a) or real(*a, **k))
        assert t.read_bytes("/etc/passwd") == Path("/etc/passwd").read_bytes()
        assert t.stat("/etc/passwd").uid == Path("/etc/passwd").stat().st_uid
        assert t.stat("/etc/nope") is None
        with pytest.raises(FileNotFoundError):
            t.read_bytes("/etc/nope")
        assert sorted(t.glob("/etc/ssh/*_config")) == sorted(
            str(p) for p in Path("/etc/ssh").glob("*_config"))
        assert t.read_bytes("/proc/net/tcp").startswith(b"  sl")
        assert calls == []
    finally:
        t.close()


def _masters(control_dir: str) -> list[str]:
    """Command lines of running processes that use this target's control socket."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if control_dir in cmd and cmd.startswith("ssh"):
            found.append(cmd)
    return found


def test_a_host_without_master_opens_one_when_it_must_and_leaves_none(server):
    """A fleet host expected to be answered by its bundle connects without a master
    connection (one ssh process, nothing to end); a read beyond the bundle opens the master,
    and close() ends it: no ssh process is left behind either way."""
    t = _target(server)
    t.keep_master = False
    control = t._control_dir
    try:
        assert t.prefetch(["/etc/passwd"]) == 1
        assert not os.path.exists(f"{control}/cm") and _masters(control) == []
        assert t.read_bytes("/etc/passwd") == Path("/etc/passwd").read_bytes()
        res = t.run(["printf", "%s", "beyond the bundle"], 10)  # needs the host again
        assert (res.exit_code, res.stdout) == (0, "beyond the bundle")
        assert os.path.exists(f"{control}/cm") and _masters(control)
    finally:
        t.close()
    deadline = time.monotonic() + 5
    while _masters(control) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _masters(control) == [] and not os.path.exists(control)
