"""Evidence an assessment cannot read is `error` with the reason, never `not_applicable`.

The SSH session of these tests logs in as an unprivileged account (tests/sshd_server.py) and
reads a directory closed to other users, the way /etc/redis (2770 redis:redis) is on Debian:
over SSH the check must say "permission denied", not that the component is absent, while the
same check run locally as root reads the file and passes. Applicability must not depend on
privilege (issue 11 item 5, issue 19).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityguard.engine import load_library, make_context, run_check
from cityguard.targets import open_target
from cityguard.targets.ssh import SSHOptions, SSHTarget
from sshd_server import SSHServer, sshd_available, start_sshd

CHECK = """\
checks:
  - id: site.locked.config_secure
    title_zh: 受保护目录中的应用配置启用安全模式
    title_en: The application configuration in a protected directory is secure
    severity: medium
    rationale_zh: 测试用：配置文件位于仅属主可读的目录中。
    rationale_en: Test only; the file lives in a directory only its owner can read.
    remediation_zh: 设置 secure = yes。
    remediation_en: Set secure = yes.
    applies:
      present_when:
        any:
          - {{probe: file, path: {base}/locked/*.conf, expect: {{exists: true}}}}
    condition: all
    rules:
      - probe: config_value
        path: {base}/locked/app.conf
        style: equals
        key: secure
        expect: {{equals: "yes"}}
  - id: site.locked.literal_path
    title_zh: 受保护目录中的应用配置存在
    title_en: The application configuration in a protected directory exists
    severity: low
    rationale_zh: 测试用：按完整路径查找文件。
    rationale_en: Test only; the file is looked up by its full path.
    remediation_zh: 无。
    remediation_en: None.
    applies:
      present_when:
        any:
          - {{probe: file, path: {base}/locked/app.conf, expect: {{exists: true}}}}
    condition: all
    rules:
      - {{probe: file, path: {base}/locked/app.conf, property: mode, expect: {{mode_max: "0644"}}}}
"""


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SSHServer]:
    if not sshd_available():
        pytest.skip("OpenSSH server (sshd) not installed: apt-get install openssh-server")
    if os.geteuid() != 0:
        pytest.skip("needs root: the SSH login must be a different, unprivileged account")
    srv = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield srv
    srv.stop()


@pytest.fixture()
def locked(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(base, checks dir): base/locked (0700, root) holds app.conf; base is world-traversable
    so the SSH account reaches the closed directory itself."""
    base = Path(tempfile.mkdtemp(prefix="cityguard-unreadable-", dir="/tmp"))
    base.chmod(0o755)
    (base / "locked").mkdir(mode=0o700)
    (base / "locked" / "app.conf").write_text("secure = yes\n", encoding="utf-8")
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "locked.yaml").write_text(CHECK.format(base=base), encoding="utf-8")
    yield base, checks
    shutil.rmtree(base)


def _checks(checks_dir: Path) -> dict:
    return {c.id: c for c in load_library([str(checks_dir)]) if c.id.startswith("site.")}


def test_unreadable_directory_is_an_error_over_ssh_and_readable_as_root(
        ssh_server: SSHServer, locked: tuple[Path, Path]) -> None:
    base, checks_dir = locked
    checks = _checks(checks_dir)
    target = SSHTarget(ssh_server.spec, SSHOptions(config_file=str(ssh_server.ssh_config)))
    try:
        ctx = make_context(target, level=3)
        for cid in ("site.locked.config_secure", "site.locked.literal_path"):
            res = run_check(checks[cid], ctx)
            assert res.status.value == "error", (cid, res.reason)
            assert "permission denied" in res.reason and f"{base}/locked" in res.reason
    finally:
        target.close()
    local = make_context(open_target("local"), level=3)
    assert {cid: run_check(c, local).status.value for cid, c in checks.items()} == {
        "site.locked.config_secure": "pass", "site.locked.literal_path": "pass"}


def test_assess_over_ssh_with_prefetch_reports_the_unreadable_evidence(
        cli, ssh_server: SSHServer, locked: tuple[Path, Path], tmp_path: Path) -> None:
    """The fleet's one-round-trip prefetch lists directories too: a closed one must not be
    remembered as empty."""
    base, checks_dir = locked
    out = tmp_path / "remote.json"
    res = cli("assess", "--target", ssh_server.spec, "--ssh-config", str(ssh_server.ssh_config),
              "--checks", str(checks_dir), "--only", "site.locked.config_secure",
              "--only", "site.locked.literal_path", "--no-store", "--format", "json",
              "--output", str(out))
    assert res.exit_code == 0, res.output
    results = {r["check_id"]: r for r in json.loads(out.read_text("utf-8"))["results"]}
    assert {k: v["status"] for k, v in results.items()} == {
        "site.locked.config_secure": "error", "site.locked.literal_path": "error"}
    assert all("permission denied" in r["reason"] for r in results.values())


MARKER = """\
checks:
  - id: site.cron.marker_scheduled
    title_zh: 已配置名为 cityguard-marker 的计划任务
    title_en: A job called cityguard-marker is scheduled
    severity: low
    rationale_zh: 测试用。
    rationale_en: Test only.
    remediation_zh: 无。
    remediation_en: None.
    condition: all
    rules:
      - {probe: cron, pattern: 'cityguard-marker', expect: {exists: true}}

"""


def test_a_schedule_partly_unreadable_is_unknown_not_empty(tmp_path: Path) -> None:
    """Users' crontabs (Debian: /var/spool/cron/crontabs 1730 root:crontab) hidden from the
    assessment: "no such job" cannot be said, the check is an error naming the directory.
    A real `cityguard assess` of a dir: tree, run as root without the capabilities that let
    root read other users' directories (setpriv), meets a real EACCES."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv (util-linux) to drop CAP_DAC_READ_SEARCH")
    root = tmp_path / "root"
    spool = root / "var/spool/cron/crontabs"
    spool.mkdir(parents=True)
    (spool / "ops").write_text("0 1 * * * /usr/local/bin/cityguard-marker\n")
    (root / "etc/cron.d").mkdir(parents=True)
    (root / "etc/cron.d/logrotate").write_text("0 3 * * * root /usr/sbin/logrotate\n")
    os.chown(spool, 65534, 65534)
    spool.chmod(0o700)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "never.yaml").write_text(MARKER, encoding="utf-8")

    def assess(*prefix: str) -> dict:
        out = tmp_path / f"out{len(prefix)}.json"
        subprocess.run([*prefix, sys.executable, "-m", "cityguard", "assess", "--target",
                        f"dir:{root}", "--checks", str(tmp_path / "c"), "--only",
                        "site.cron.marker_scheduled", "--no-store", "--format", "json",
                        "--output", str(out)], check=False, capture_output=True, timeout=120)
        (res,) = json.loads(out.read_text("utf-8"))["results"]
        return res

    hidden = assess(setpriv, "--bounding-set=-dac_override,-dac_read_search")
    assert hidden["status"] == "error", hidden
    assert "permission denied" in hidden["reason"]
    assert "/var/spool/cron/crontabs" in hidden["reason"]
    assert assess()["status"] == "pass"  # as root the job is found in the user's crontab
