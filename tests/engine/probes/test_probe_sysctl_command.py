"""`sysctl` (runtime and configured) and `command` (real processes, timeouts)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from engine_helpers import write_tree

from cityguard.targets import open_target


def test_sysctl_configured_precedence(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "usr/lib/sysctl.d/50-default.conf": "net.ipv4.ip_forward = 1\nkernel.kptr_restrict = 1\n",
        "etc/sysctl.d/50-default.conf": "kernel.kptr_restrict = 2\n",  # shadows the vendor file
        "etc/sysctl.d/99-hardening.conf": "net/ipv4/conf/all/accept_redirects = 0\n"
                                          "-net.ipv4.tcp_syncookies = 1\n",
        "etc/sysctl.conf": "net.ipv4.ip_forward=0\n",
    })

    def run(key: str, expect: dict):
        return run_rules(root, [{"probe": "sysctl", "key": key, "source": "config",
                                 "expect": expect}])

    res = run("net.ipv4.ip_forward", {"equals": 0})
    assert res.status.value == "pass" and res.evidence[0].file == "/etc/sysctl.conf"
    assert run("kernel.kptr_restrict", {"equals": 2}).status.value == "pass"
    assert run("net.ipv4.conf.all.accept_redirects", {"equals": 0}).status.value == "pass"
    assert run("net.ipv4.tcp_syncookies", {"equals": 1}).status.value == "pass"
    assert run("kernel.dmesg_restrict", {"equals": 1}).status.value == "fail"


def test_sysctl_runtime(tmp_path: Path, run_rules) -> None:
    na = run_rules(tmp_path, [{"probe": "sysctl", "key": "kernel.randomize_va_space",
                               "expect": {"equals": 2}}])
    assert na.status.value == "not_applicable" and "no running kernel" in na.reason
    if not Path("/proc/sys/kernel/randomize_va_space").exists():
        pytest.skip("no /proc/sys here")
    actual = Path("/proc/sys/kernel/randomize_va_space").read_text().strip()
    res = run_rules(open_target("local"), [{"probe": "sysctl", "key": "kernel/randomize_va_space",
                                           "expect": {"equals": actual}}])
    assert res.status.value == "pass"


def _py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_command_fields(run_rules) -> None:
    local = open_target("local")
    code = "import sys; print('PermitRootLogin no'); print('x11forwarding no'); " \
           "print('warn', file=sys.stderr); sys.exit(4)"

    def run(expect: dict, **kw):
        return run_rules(local, [{"probe": "command", "argv": _py(code), "expect": expect, **kw}])

    assert run({"regex": "(?m)^PermitRootLogin no$"}).status.value == "pass"
    assert run({"equals": 4}, field="exit_code").status.value == "pass"
    assert run({"equals": "warn"}, field="stderr").status.value == "pass"
    lines = run({"regex": " no$"}, field="lines")
    assert lines.status.value == "pass" and [e.line for e in lines.evidence] == [1, 2]


def test_command_timeout_is_an_error_for_that_check_only(run_rules) -> None:
    res = run_rules(open_target("local"), [{"probe": "command", "argv": ["sleep", "5"],
                                           "timeout": 0.3, "expect": {"equals": ""}}])
    assert res.status.value == "error" and "timed out after 0.3s" in res.reason
    assert res.duration_ms < 4000


def test_command_not_applicable_on_dir_and_missing_program(tmp_path: Path, run_rules) -> None:
    res = run_rules(tmp_path, [{"probe": "command", "argv": ["id"], "expect": {"exists": True}}])
    assert res.status.value == "not_applicable" and res.reason == "dir: target runs no commands"
    res = run_rules(open_target("local"), [{"probe": "command", "argv": ["no-such-prog-xyz"],
                                           "expect": {"exists": True}}])
    assert res.status.value == "not_applicable" and "program not found" in res.reason
