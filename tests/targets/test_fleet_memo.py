"""A fleet shares check outcomes only between hosts that gave the same answers (issue 25).

Two real OpenSSH servers on 127.0.0.1: one sees this machine's files, the other runs in its own
mount namespace where exactly one file, /etc/login.defs, has other content (a bind mount). The
fleet's memo (targets.ssh_memo) must give the second host its own verdicts for the checks that
read that file, and still reuse the first hosts' outcomes for everything else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from sshd_server import SSHServer, start_sshd

pytestmark = pytest.mark.ssh

LOGIN_DEFS = "/etc/login.defs"
CHECKS_OF_THE_FILE = ("linux.accounts.login_defs_max_days", "linux.accounts.login_defs_min_days",
                      "linux.accounts.login_defs_warn_age")


def _in_own_namespace(server: SSHServer, source: Path, target: str) -> None:
    """Restart `server`'s sshd in a private mount namespace where `source` is seen at
    `target` (so its sessions, and only they, read the other content)."""
    server.stop()
    config = server.identity.parent / "sshd_config"
    port = server.port
    server.proc = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
         'mount --bind -- "$1" "$2" && exec "$3" -D -e -f "$4"', "sh",
         str(source), target, shutil.which("sshd") or "/usr/sbin/sshd", str(config)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, server.proc.stderr.read().decode(errors="replace")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("sshd in its own namespace did not start")


@pytest.fixture
def other_host(ssh_server: SSHServer, tmp_path: Path):
    """A second server whose /etc/login.defs says PASS_MAX_DAYS 60 (and nothing else
    differs), reachable with the first server's key and ssh_config."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a host that differs in one file needs root and unshare(1) for a private "
                    "mount namespace")
    if not Path(LOGIN_DEFS).is_file():
        pytest.skip(f"{LOGIN_DEFS} is not on this machine")
    original = Path(LOGIN_DEFS).read_text("utf-8")
    found = re.search(r"(?m)^PASS_MAX_DAYS\s+\S+$", original)
    if found is None or len(found.group()) < len("PASS_MAX_DAYS 60"):
        pytest.skip(f"{LOGIN_DEFS} has no PASS_MAX_DAYS line to change in place")
    # the same size, owner, mode and time as the real file: only the content tells them apart
    line = found.group()
    changed = original.replace(line, "PASS_MAX_DAYS".ljust(len(line) - 2) + "60", 1)
    source = tmp_path / "login.defs"
    source.write_text(changed, "utf-8")
    real = os.stat(LOGIN_DEFS)
    os.chmod(source, real.st_mode & 0o7777)
    os.chown(source, real.st_uid, real.st_gid)
    os.utime(source, ns=(real.st_atime_ns, real.st_mtime_ns))
    other = start_sshd(tmp_path / "sshd-other")
    conf = (other.identity.parent / "sshd_config").read_text("utf-8")
    authorized = next(line.split(None, 1)[1] for line in conf.splitlines()
                      if line.startswith("AuthorizedKeysFile"))
    with open(authorized, "a", encoding="utf-8") as fh:  # the first server's key logs in too
        fh.write(ssh_server.identity.with_suffix(".pub").read_text("utf-8"))
    _in_own_namespace(other, source, LOGIN_DEFS)
    known = tmp_path / "known_hosts"
    known.write_text(ssh_server.known_hosts.read_text("utf-8")
                     + other.known_hosts.read_text("utf-8"), "utf-8")
    config = tmp_path / "ssh_config"
    config.write_text(f"Host *\n  IdentityFile {ssh_server.identity}\n  IdentitiesOnly yes\n"
                      f"  UserKnownHostsFile {known}\n  GlobalKnownHostsFile /dev/null\n",
                      "utf-8")
    yield other, config
    other.stop()


def _by_check(doc: dict, asset: str) -> dict[str, dict]:
    return {r["check_id"]: {k: v for k, v in r.items() if k not in ("asset", "duration_ms")}
            for r in doc["results"] if r["asset"] == asset}


def test_a_host_that_differs_in_one_file_is_judged_on_its_own_content(
        cli, ssh_server, other_host, tmp_path, monkeypatch):
    from cityguard.targets.ssh_memo import EvaluationMemo

    other, config = other_host
    memos: list[EvaluationMemo] = []
    real_init = EvaluationMemo.__init__

    def remember(self, *a, **k):
        real_init(self, *a, **k)
        memos.append(self)

    monkeypatch.setattr(EvaluationMemo, "__init__", remember)
    inv = tmp_path / "hosts.ini"
    inv.write_text(
        "[fleet]\n"  # hosts go in name order: the first (the scout) sees this machine's file
        f"host1 ansible_host=127.0.0.1 ansible_port={ssh_server.port}\n"
        f"host2 ansible_host=127.0.0.1 ansible_port={ssh_server.port}\n"
        f"host3 ansible_host=127.0.0.1 ansible_port={ssh_server.port}\n"
        f"host4 ansible_host=127.0.0.1 ansible_port={other.port}\n"
        f"\n[all:vars]\nansible_user={ssh_server.user}\n", encoding="utf-8")
    out = tmp_path / "fleet.json"
    res = cli("assess", "--inventory", str(inv), "--ssh-config", str(config), "--no-store",
              "--jobs", "2", "--lang", "en", "--output", str(out))
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text("utf-8"))
    same1, same2, same3, changed = (_by_check(doc, h) for h in ("host1", "host2", "host3",
                                                                "host4"))
    # the memo was on, and hosts that answered alike shared outcomes
    assert memos and memos[0].hits > len(same1), (memos[0].hits if memos else None)
    assert same2 == same1 and same3 == same1
    max_days = "linux.accounts.login_defs_max_days"
    # its own file decides: 60 days passes where this machine's file says otherwise
    assert changed[max_days]["status"] == "pass", changed[max_days]
    assert any(str(e.get("observed")) == "60" for e in changed[max_days]["evidence"]), \
        changed[max_days]["evidence"]
    assert all(str(e.get("observed")) != "60" for e in same1[max_days]["evidence"])
    # and every check that does not read the file gives what the other hosts got
    for check_id, result in same1.items():
        if check_id not in CHECKS_OF_THE_FILE and "login.defs" not in json.dumps(result):
            assert changed[check_id] == result, check_id
