"""Small, explicit edits of a built root: what an administrator would type, done from outside.

Every helper takes the root directory first. Programs run inside the root through `chroot`
(useradd, chpasswd, chage: the root's own tools and PAM configuration decide the hashes and
defaults), units are enabled with `systemctl --root`, exactly as on a real host.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path


def _host(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def write(root: Path, path: str, text: str, mode: int = 0o644) -> None:
    p = _host(root, path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    p.chmod(mode)


def append(root: Path, path: str, text: str) -> None:
    p = _host(root, path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("a", encoding="utf-8") as fh:
        fh.write(text)


def replace(root: Path, path: str, pattern: str, new: str, count: int = 0) -> None:
    """Regex replacement (MULTILINE); fails loudly when the pattern is not in the file."""
    p = _host(root, path)
    text = p.read_text(encoding="utf-8")
    out, n = re.subn(pattern, new, text, count=count, flags=re.MULTILINE)
    if n == 0:
        raise RuntimeError(f"{path}: pattern {pattern!r} not found")
    p.write_text(out, encoding="utf-8")


def remove(root: Path, path: str) -> None:
    p = _host(root, path)
    if p.is_symlink() or p.is_file():
        p.unlink()


def chmod(root: Path, path: str, mode: int) -> None:
    _host(root, path).chmod(mode)


def chroot(root: Path, *argv: str, stdin: str | None = None) -> None:
    subprocess.run(["chroot", str(root), *argv], input=stdin, text=True, check=True,
                   capture_output=True, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                             "LC_ALL": "C"})


def enable(root: Path, *units: str) -> None:
    subprocess.run(["systemctl", f"--root={root}", "enable", *units], check=True,
                   capture_output=True)


def disable(root: Path, *units: str) -> None:
    subprocess.run(["systemctl", f"--root={root}", "disable", *units], check=True,
                   capture_output=True)


def user(root: Path, name: str, password: str | None = None, groups: str = "",
         shell: str = "/bin/bash", uid: int | None = None, max_days: int | None = None,
         system: bool = False) -> None:
    """useradd inside the root; the password is hashed by the root's own chpasswd (PAM)."""
    argv = ["useradd", "-m", "-s", shell]
    if groups:
        argv += ["-G", groups]
    if uid is not None:
        argv += ["-o", "-u", str(uid)]
    if system:
        argv += ["-r"]
    chroot(root, *argv, name)
    if password is not None:
        chroot(root, "chpasswd", stdin=f"{name}:{password}\n")
    if max_days is not None:
        chroot(root, "chage", "-M", str(max_days), name)


def shadow_password_field(root: Path, name: str, value: str) -> None:
    """Set an account's password field in /etc/shadow verbatim ("" = no password at all)."""
    p = _host(root, "/etc/shadow")
    lines = []
    for line in p.read_text(encoding="utf-8").splitlines():
        f = line.split(":")
        if f[0] == name:
            f[1] = value
        lines.append(":".join(f))
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")


def authorized_key(root: Path, name: str, key: str) -> None:
    home = _host(root, f"/home/{name}/.ssh")
    home.mkdir(parents=True, exist_ok=True)
    (home / "authorized_keys").write_text(key + "\n", encoding="utf-8")
    os.chmod(home, 0o700)


def link(root: Path, path: str, target: str) -> None:
    p = _host(root, path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.is_symlink() or p.exists():
        p.unlink()
    p.symlink_to(target)


def logs(root: Path, files: dict[str, int], group: str = "adm") -> None:
    """Log files as the daemons create them at first boot (the roots never ran): empty, with
    the mode and group the daemon gives them, so file-mode evidence exists as on a live host."""
    gid = 0
    for line in _host(root, "/etc/group").read_text(encoding="utf-8").splitlines():
        f = line.split(":")
        if f[0] == group:
            gid = int(f[2])
    for path, mode in files.items():
        p = _host(root, path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.touch()
        os.chown(p, 0, gid)
        p.chmod(mode)
