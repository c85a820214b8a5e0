"""`package` (dpkg status, rpm) and `service` (unit symlinks, systemctl)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from engine_helpers import write_tree

from cityguard.targets import open_target

DPKG = """Package: openssh-server
Status: install ok installed
Version: 1:9.2p1-2+deb12u3

Package: telnetd
Status: deinstall ok config-files
Version: 0.17-44

Package: clamav
Status: install ok installed
Version: 1.0.7+dfsg-1~deb12u1
"""


def test_dpkg_installed_and_version(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"var/lib/dpkg/status": DPKG,
                                       "etc/os-release": "ID=debian\n"})

    def run(rule: dict):
        return run_rules(root, [{"probe": "package", **rule}]).status.value

    assert run({"name": "openssh-server", "expect": {"equals": True}}) == "pass"
    assert run({"name": "telnetd", "expect": {"equals": False}}) == "pass"  # config-files only
    assert run({"name": ["telnetd", "rsh-server"], "expect": {"equals": True,
                                                                "quantifier": "none"}}) == "pass"
    assert run({"name": ["clamav", "clamav-daemon"], "expect": {"equals": True,
                                                                  "quantifier": "any"}}) == "pass"
    assert run({"name": "openssh-server", "property": "version",
                "expect": {"version_ge": "1:9.2p1-2+deb12u2"}}) == "pass"
    assert run({"name": "openssh-server", "property": "version",
                "expect": {"version_lt": "1:9.2p1-2+deb12u3"}}) == "fail"
    assert run({"name": "clamav", "property": "version",
                "expect": {"version_ge": "1.0.7"}}) == "pass"  # ~deb12u1 sorts after 1.0.7+dfsg
    assert run({"name": "nginx", "property": "version", "expect": {"version_ge": "1"}}) == "fail"


def test_dpkg_on_this_machine(run_rules) -> None:
    if not os.path.exists("/var/lib/dpkg/status"):
        pytest.skip("no dpkg database on this machine")
    res = run_rules(open_target("local"), [{"probe": "package", "name": "dpkg",
                                           "property": "version", "expect": {"version_ge": "1.0"}}])
    assert res.status.value == "pass"


def _units(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "r", {
        "lib/systemd/system/ssh.service": "[Unit]\n",
        "lib/systemd/system/auditd.service": "[Unit]\n",
        "lib/systemd/system/telnet.socket": "[Unit]\n",
        "lib/systemd/system/avahi-daemon.service": "[Unit]\n",
        "etc/init.d/rsyslog": "#!/bin/sh\n",
    })
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/lib/systemd/system/ssh.service", wants / "ssh.service")
    os.symlink("/lib/systemd/system/ssh.service", root / "etc/systemd/system/sshd.service")
    os.symlink("/dev/null", root / "etc/systemd/system/avahi-daemon.service")
    (root / "etc/rc2.d").mkdir()
    os.symlink("../init.d/rsyslog", root / "etc/rc2.d/S01rsyslog")
    return root


def test_service_present_enabled_masked(tmp_path: Path, run_rules) -> None:
    root = _units(tmp_path)

    def run(name, prop: str, expect: dict) -> str:
        return run_rules(root, [{"probe": "service", "name": name, "property": prop,
                                 "expect": expect}]).status.value

    assert run("ssh", "enabled", {"equals": True}) == "pass"
    assert run("sshd", "enabled", {"equals": True}) == "pass"  # alias link
    assert run("auditd", "enabled", {"equals": True}) == "fail"
    assert run("auditd", "present", {"equals": True}) == "pass"
    assert run("avahi-daemon", "enabled", {"equals": False}) == "pass"  # masked
    assert run("telnet.socket", "present", {"equals": True}) == "pass"
    assert run("rsyslog", "enabled", {"equals": True}) == "pass"  # SysV rc link
    assert run("rsyslog", "present", {"equals": True}) == "pass"
    assert run(["telnet.socket", "rsh.socket"], "enabled", {"equals": True,
                                                            "quantifier": "none"}) == "pass"
    na = run_rules(root, [{"probe": "service", "name": "ssh", "property": "active",
                           "expect": {"equals": True}}])
    assert na.status.value == "not_applicable" and "dir: target runs no commands" in na.reason


def test_service_active_on_this_machine(run_rules) -> None:
    if shutil.which("systemctl") is None:
        pytest.skip("systemctl is not installed")
    res = run_rules(open_target("local"), [{"probe": "service", "name": "cityguard-none",
                                           "property": "active", "expect": {"equals": False}}])
    # without a running systemd (containers) the probe says so instead of guessing
    assert res.status.value in ("pass", "not_applicable")
    if res.status.value == "not_applicable":
        assert "systemd is not running" in res.reason


def test_a_tree_without_service_manager_state_says_unknown(tmp_path: Path, run_rules) -> None:
    """A copied /etc with no unit directories and no init scripts cannot say "disabled"."""
    root = write_tree(tmp_path / "r", {"etc/ssh/sshd_config": "PermitRootLogin no\n"})
    res = run_rules(root, [{"probe": "service", "name": "telnet.socket", "property": "enabled",
                            "expect": {"equals": False}}])
    assert res.status.value == "not_applicable" and res.reason.startswith("unknown")
    known = _units(tmp_path / "k")
    res = run_rules(known, [{"probe": "service", "name": "telnet.socket",
                             "property": "enabled", "expect": {"equals": False}}])
    assert res.status.value == "pass"


RPMDB = Path(__file__).resolve().parents[2] / "assets" / "fidelity" / "openeuler"


def test_rpm_database_read_as_a_file_on_a_dir_target(run_rules) -> None:
    """openEuler's rpmdb.sqlite (written by rpm itself, see tests/assets/fidelity/SOURCE.md):
    installed and version without running rpm; names it does not hold are not installed."""
    if not (RPMDB / "var/lib/rpm/rpmdb.sqlite").is_file():
        pytest.skip("reduced openEuler root not present")

    def run(rule: dict):
        return run_rules(RPMDB, [{"probe": "package", **rule}]).status.value

    assert run({"name": "audit", "expect": {"equals": True}}) == "pass"
    assert run({"name": ["telnet-server", "rsh-server"], "expect": {"equals": False}}) == "pass"
    assert run({"name": "telnet", "expect": {"equals": True}}) == "pass"
    assert run({"name": "openssh-server", "property": "version",
                "expect": {"version_ge": "8.8p1-21"}}) == "pass"


def test_rpm_families_without_any_database_are_not_applicable(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/os-release": 'ID="openEuler"\n'})
    res = run_rules(root, [{"probe": "package", "name": "aide", "expect": {"equals": True}}])
    assert res.status.value == "not_applicable" and "rpmdb.sqlite" in res.reason
