"""The cron probe follows the scripts a job runs, but not the kernel's files a script tests
(man-db's daily job greps /proc/self/status): those are never scripts, and they differ at every
read, so following them kept a fleet's hosts from sharing every check of the schedule (backup,
anti-malware, intrusion detection) through the memo (targets/ssh_memo.py, issue 25)."""

from __future__ import annotations

from pathlib import Path

from cityguard.engine.probes.cron import jobs
from cityguard.engine.runner import make_context
from cityguard.targets.base import FileStat
from cityguard.targets.dir import DirTarget


class _Recording(DirTarget):
    """A directory target that notes every path asked for."""

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.asked: list[str] = []

    def read_bytes(self, path: str, max_bytes: int = 1 << 24) -> bytes:
        self.asked.append(path)
        return super().read_bytes(path, max_bytes)

    def stat(self, path: str) -> FileStat | None:
        self.asked.append(path)
        return super().stat(path)


def _tree(root: Path) -> None:
    daily = root / "etc" / "cron.daily"
    daily.mkdir(parents=True)
    (daily / "nightly").write_text(
        "#!/bin/sh\n"
        "if ! grep -Eq '(envID|VxID):.*[1-9]' /proc/self/status && [ ! -d /proc/vz ]; then\n"
        "  /opt/site/backup.sh --to /srv/backup < /dev/null\n"
        "fi\n"
        "cat /sys/class/net/eth0/address > /dev/null\n", "utf-8")
    site = root / "opt" / "site"
    site.mkdir(parents=True)
    (site / "backup.sh").write_text("#!/bin/sh\nrsync -a /data/ backup:/data/\n", "utf-8")
    for kernel in ("proc/self/status", "sys/class/net/eth0/address"):  # there, and still skipped
        (root / kernel).parent.mkdir(parents=True, exist_ok=True)
        (root / kernel).write_text("#!/bin/sh\nrsync -a /kernel/ nowhere:/\n", "utf-8")


def test_scripts_are_followed_and_kernel_files_are_not(tmp_path: Path) -> None:
    _tree(tmp_path)
    target = _Recording(f"dir:{tmp_path}")
    found, unreadable = jobs(make_context(target, level=3))
    commands = [cmd for cmd, _, _ in found]
    assert "rsync -a /data/ backup:/data/" in commands  # the script the job runs: followed
    assert unreadable == []
    assert not any(p.startswith(("/proc/", "/sys/")) for p in target.asked), \
        [p for p in target.asked if p.startswith(("/proc/", "/sys/"))]
    assert all("/kernel/" not in cmd for cmd in commands)
    assert "/opt/site/backup.sh" in target.asked and "/srv/backup" in target.asked
