"""A live device over SSH (netmiko) against a loopback server that plays one: read-only
commands only, paging off, host keys verified as for hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from device_server import SESSION_COMMANDS, DeviceServer
from netdev_helpers import CORPUS

from cityguard.core.errors import TargetError, UsageError
from cityguard.engine import make_context, run_check
from cityguard.engine.netdev.select import checks_for
from cityguard.targets.netdev_ssh import PASSWORD_ENV, NetdevSSHTarget
from cityguard.targets.ssh import SSHOptions

pytest.importorskip("netmiko")
CONFIG = CORPUS / "cisco_ios" / "netutils_csr_full.cfg"


@pytest.fixture
def device(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with DeviceServer(CONFIG) as server:
        monkeypatch.setenv(PASSWORD_ENV, server.password)
        yield server


def _target(device: DeviceServer, known: Path, accept_new: bool = False) -> NetdevSSHTarget:
    opts = SSHOptions(known_hosts=str(known), accept_new_host_keys=accept_new,
                      connect_timeout=10, command_timeout=30)
    return NetdevSSHTarget(f"ssh://{device.username}@127.0.0.1:{device.port}", opts,
                           "cisco_ios", asset_id="core-rtr-01")


def test_a_known_device_is_read_with_show_commands_only(device: DeviceServer,
                                                       tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(device.known_hosts_line(), encoding="ascii")
    target = _target(device, known)
    config = target.device()
    assert config.family == "cisco_ios" and config.hostname == "jcy-bb-01"
    assert target.facts().platform == "netdev"
    # the whole library for its family runs on it, as on a saved file
    from netdev_helpers import device_checks

    ctx = make_context(target, level=3)
    results = {c.id: run_check(c, ctx) for c in checks_for(device_checks(), target)}
    assert results["netdev.cisco_ios.remote_mgmt_ssh_only"].status.value == "fail"
    assert not any(r.status.value == "error" for r in results.values())
    # only the configuration command and the session's own paging/width commands were sent
    sent = set(device.commands)
    assert "show running-config" in sent and "terminal length 0" in sent
    assert sent <= SESSION_COMMANDS | {"show running-config"}, sent


def test_an_unknown_host_key_is_refused(device: DeviceServer, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("", encoding="ascii")
    with pytest.raises(TargetError) as exc:
        _target(device, known).connect()
    assert "not found in known_hosts" in str(exc.value) or "host key" in str(exc.value).lower()
    assert "show running-config" not in device.commands


def test_a_changed_host_key_is_refused(device: DeviceServer, tmp_path: Path) -> None:
    import paramiko

    other = paramiko.ECDSAKey.generate()
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{device.port} {other.get_name()} {other.get_base64()}\n",
                     encoding="ascii")
    with pytest.raises(TargetError):
        _target(device, known).connect()
    assert "show running-config" not in device.commands


def test_accept_new_records_the_key_then_it_is_verified(device: DeviceServer,
                                                         tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    _target(device, known, accept_new=True).connect()
    assert known.read_text(encoding="ascii") == device.known_hosts_line()
    _target(device, known).connect()  # the recorded key now verifies the device


def test_a_wrong_password_is_one_line(device: DeviceServer, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(device.known_hosts_line(), encoding="ascii")
    monkeypatch.setenv(PASSWORD_ENV, "not-it")
    with pytest.raises(TargetError) as exc:
        _target(device, known).connect()
    assert "\n" not in exc.value.one_line() and str(device.port) in exc.value.one_line()


def test_host_user_and_device_type_are_validated_before_anything_runs() -> None:
    with pytest.raises(UsageError):
        NetdevSSHTarget("ssh://-oProxyCommand=touch@x", None, "cisco_ios")
    with pytest.raises(UsageError):
        NetdevSSHTarget("ssh://audit@10.0.0.1", None, "routeros")
