"""`ssh://user@host[:port]` with `--device-type`: a live switch, router or firewall.

Why netmiko and not the OpenSSH client used for hosts: most network OSes give no exec channel
(Huawei VRP, H3C Comware, Cisco ASA and IOS with AAA command authorisation answer only in an
interactive shell), prompts and pagers differ per vendor, and netmiko (MIT, maintained since
2014, the library behind NAPALM and Nornir) knows each prompt and turns paging off on login
(`screen-length 0 temporary`, `terminal length 0`, `set cli screen-length 0` …).

Read-only by construction: the only commands sent are the ones in CONFIG_COMMANDS, each a
`display` or `show` (checked again before sending); nothing is configured or saved. Host keys
are verified as for hosts: against the user's known_hosts (or `--known-hosts`), and an unknown
key is refused unless `--accept-new-host-keys`, which records it. Host, user and port pass the
same validation as every ssh:// target (targets.ssh.parse_ssh_spec). The password, when a
device needs one, comes only from the environment (CITYGUARD_NETDEV_PASSWORD), never from a
file or a flag that would show in the process list.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any, ClassVar

from cityguard.core.errors import DataError, TargetError
from cityguard.targets.base import CommandResult, CommandsUnavailable, FileStat, HostFacts
from cityguard.targets.netdev import CONFIG_PATH, DeviceConfig, device_facts, parse_device
from cityguard.targets.netdev_detect import device_type as family_of
from cityguard.targets.ssh import SSHOptions, parse_ssh_spec

PASSWORD_ENV = "CITYGUARD_NETDEV_PASSWORD"

#: our family → netmiko's device type
NETMIKO_TYPES = {
    "huawei_vrp": "huawei", "h3c_comware": "hp_comware", "cisco_ios": "cisco_ios",
    "cisco_asa": "cisco_asa", "juniper_junos": "juniper_junos",
    "fortinet_fortios": "fortinet", "paloalto_panos": "paloalto_panos",
}  # fmt: skip
#: the one command per family that prints the configuration
CONFIG_COMMANDS = {
    "huawei_vrp": "display current-configuration",
    "h3c_comware": "display current-configuration",
    "cisco_ios": "show running-config",
    "cisco_asa": "show running-config",
    "juniper_junos": "show configuration | display set",
    "fortinet_fortios": "show full-configuration",
    "paloalto_panos": "show config running",
}
_READ_ONLY = re.compile(r"^(display|show) [a-z][a-z -]*( \| display set)?$")


class NetdevSSHTarget:
    name: ClassVar[str] = "netdev_ssh"
    kind: ClassVar[str] = "netdev_ssh"
    asset_type: ClassVar[str] = "network_device"
    can_run_commands = False

    def __init__(self, spec: str, options: SSHOptions | None, device_type: str, *,
                 asset_id: str | None = None) -> None:
        self.spec = spec
        self.asset_id = asset_id or spec
        self.user, self.host, self.port = parse_ssh_spec(spec)
        self.family = family_of(device_type)
        self.options = options or SSHOptions()
        self._config: DeviceConfig | None = None

    def connect(self) -> None:
        """Log in, print the configuration once, parse it; TargetError when unreachable."""
        if self._config is None:
            text = self._fetch()
            self._config = parse_device(text, self.spec, self.family)

    def device(self) -> DeviceConfig:
        self.connect()
        assert self._config is not None
        return self._config

    def _fetch(self) -> str:
        command = CONFIG_COMMANDS[self.family]
        if not _READ_ONLY.match(command):  # a guard against a future edit of the table
            raise TargetError(f"{self.spec}: refusing to send {command!r} (not read-only)")
        try:
            from netmiko import ConnectHandler
        except ImportError:  # pragma: no cover - netmiko is a dependency
            raise TargetError("netmiko is not installed: pip install netmiko") from None
        conn = None
        try:
            conn = ConnectHandler(**self._params())
            if self.options.accept_new_host_keys:
                self._record_host_key(conn)
            return str(conn.send_command(command, read_timeout=self.options.command_timeout))
        except Exception as exc:  # netmiko, paramiko and socket errors: one line, this device
            raise TargetError(f"{self.spec}: {_one_line(exc)}") from None
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):  # the configuration is already read
                    conn.disconnect()

    def _params(self) -> dict[str, Any]:
        o = self.options
        known = o.known_hosts or str(Path("~/.ssh/known_hosts").expanduser())
        params: dict[str, Any] = {
            "device_type": NETMIKO_TYPES[self.family],
            "host": self.host,
            "port": self.port or 22,
            "username": self.user or os.environ.get("USER", ""),
            "password": os.environ.get(PASSWORD_ENV, ""),
            "use_keys": bool(o.identity_file),
            "allow_agent": True,
            "ssh_strict": not o.accept_new_host_keys,
            "system_host_keys": o.known_hosts is None,
            "alt_host_keys": Path(known).is_file(),
            "alt_key_file": known if Path(known).is_file() else "",
            "conn_timeout": o.connect_timeout,
            "auth_timeout": o.connect_timeout,
            "banner_timeout": o.connect_timeout,
        }
        if o.identity_file:
            params["key_file"] = o.identity_file
        if o.config_file:
            params["ssh_config_file"] = o.config_file
        return params

    def _record_host_key(self, conn: Any) -> None:
        """--accept-new-host-keys: write the key just seen to known_hosts when it is new."""
        import paramiko

        known = self.options.known_hosts or str(Path("~/.ssh/known_hosts").expanduser())
        key = conn.remote_conn_pre.get_transport().get_remote_server_key()
        name = self.host if not self.port or self.port == 22 else f"[{self.host}]:{self.port}"
        keys = paramiko.HostKeys()
        if Path(known).is_file():
            keys.load(known)
        if keys.lookup(name) is None:
            Path(known).parent.mkdir(parents=True, exist_ok=True)
            with open(known, "a", encoding="ascii") as fh:
                fh.write(f"{name} {key.get_name()} {key.get_base64()}\n")

    # -- the Target protocol (the configuration is the only thing read) -------------------------

    def read_bytes(self, path: str, max_bytes: int = 16 * 1024 * 1024) -> bytes:
        raise FileNotFoundError(2, "No such file or directory", path)

    def stat(self, path: str) -> FileStat | None:
        return None

    def list_dir(self, path: str) -> list[str]:
        return []

    def glob(self, pattern: str) -> list[str]:
        return []

    def run(self, argv: list[str], timeout: float) -> CommandResult:
        raise CommandsUnavailable("network devices run no host commands")

    def facts(self) -> HostFacts:
        if self._config is None:
            return HostFacts(os_family=self.family, platform="netdev", hostname=self.host)
        return device_facts(self._config)

    def close(self) -> None:
        return None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, DataError):
        return text
    return text[:300]


__all__ = ["CONFIG_COMMANDS", "CONFIG_PATH", "NETMIKO_TYPES", "PASSWORD_ENV", "NetdevSSHTarget"]
