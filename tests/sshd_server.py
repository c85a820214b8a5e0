"""A real OpenSSH server on 127.0.0.1 for tests: throw-away host and user keys, a free port,
run in the foreground (-D) as a child of the test process and stopped afterwards."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
#: when the tests run as root, SSH logins use this throw-away account with /bin/sh: root's own
#: ~/.bashrc on these machines runs `pyenv init` (a rehash under a lock) for every command,
#: which would make the tests measure the login shell instead of cityguard
TEST_USER = "cgssh"


def login_user() -> str:
    if os.geteuid() != 0:
        return getpass.getuser()
    exists = subprocess.run(["id", "-u", TEST_USER], capture_output=True).returncode == 0
    # "*" = no password but not locked (sshd refuses locked accounts); home "/" so the
    # session starts without a chdir warning
    tool = "usermod" if exists else "useradd"
    extra = [] if exists else ["--system", "--no-create-home"]
    subprocess.run(
        [tool, *extra, "--home", "/", "--shell", "/bin/sh", "--password", "*", TEST_USER],
        check=True, capture_output=True,
    )
    return TEST_USER


def sshd_available() -> bool:
    return os.path.exists(SSHD) and shutil.which("ssh") is not None and shutil.which("ssh-keygen")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SSHServer:
    port: int
    user: str
    host_pub: str
    identity: Path
    known_hosts: Path
    ssh_config: Path
    proc: subprocess.Popen

    @property
    def spec(self) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True, capture_output=True,
    )


def start_sshd(workdir: Path) -> SSHServer:
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o700)
    host_key = workdir / "host_ed25519"
    user_key = workdir / "user_ed25519"
    _keygen(host_key)
    _keygen(user_key)
    # sshd reads authorized_keys with the login user's rights: keep it where that user can
    keys_dir = Path(tempfile.mkdtemp(prefix="cityguard-sshd-keys-"))
    os.chmod(keys_dir, 0o755)
    authorized = keys_dir / "authorized_keys"
    shutil.copy(user_key.with_suffix(".pub"), authorized)
    os.chmod(authorized, 0o644)
    port = free_port()
    user = login_user()
    Path("/run/sshd").mkdir(exist_ok=True) if os.geteuid() == 0 else None
    config = workdir / "sshd_config"
    config.write_text(
        "\n".join([
            f"Port {port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {host_key}",
            f"AuthorizedKeysFile {authorized}",
            f"PidFile {workdir / 'sshd.pid'}",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UsePAM no",
            "MaxSessions 200",
            "MaxStartups 200:30:400",
            "LogLevel ERROR",
            "",
        ]),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited: {proc.stderr.read().decode(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    host_pub = (host_key.with_suffix(".pub")).read_text().split()[:2]
    known = workdir / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {' '.join(host_pub)}\n", encoding="utf-8")
    ssh_config = workdir / "ssh_config"
    ssh_config.write_text(
        "\n".join([
            "Host *",
            f"  IdentityFile {user_key}",
            "  IdentitiesOnly yes",
            f"  UserKnownHostsFile {known}",
            "  GlobalKnownHostsFile /dev/null",
            "",
        ]),
        encoding="utf-8",
    )
    return SSHServer(port, user, " ".join(host_pub), user_key, known, ssh_config, proc)
