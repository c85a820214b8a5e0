"""What an absent line means, per OS family: the default the device applies, or a question.

Devices leave defaults out of their running configuration, so a check that finds no line must
read the vendor's default. Many defaults changed between releases (VRP's Telnet server, the IOS
vty transport, SSH algorithm lists); there the honest answer is `manual`, with the command that
shows the value in force (netconf-mapping.md §7). A probe rule names the setting with
`absent: <setting>`; settings missing from a family's table are a check bug (error).
"""

from __future__ import annotations

from dataclasses import dataclass

from cityguard.policy.messages import t


@dataclass(frozen=True)
class Default:
    """`value` is what the device does without the line; None: it depends on the release."""

    value: str | None
    command: str = ""  # the read-only command that shows the effective value (for manual)


def _ask(command: str) -> Default:
    return Default(None, command)


_VRP_ALL = "display current-configuration all | include "
_IOS_ALL = "show running-config all | include "

#: family → setting → Default, or → {release: Default} where releases differ ("" = unknown)
DEFAULTS: dict[str, dict[str, Default | dict[str, Default]]] = {
    "huawei_vrp": {
        "idle_timeout": Default("10"),
        "telnet_server": _ask(_VRP_ALL + "telnet server"),
        "http_server": _ask(_VRP_ALL + "http"),
        "ftp_server": Default("off"),
        "login_lockout": _ask("display aaa configuration"),
        "password_policy": _ask("display current-configuration all | include password"),
        "ssh_algorithms": _ask("display ssh server status"),
        "vty_protocol": _ask("display user-interface vty 0"),
        "line_auth": _ask("display user-interface"),
        "logging": Default("on"),
        "snmp_agent": Default("off"),
    },
    "h3c_comware": {
        "idle_timeout": Default("10"),
        "telnet_server": {"7": Default("off"), "5": _ask("display telnet server status"),
                          "": _ask("display telnet server status")},
        "http_server": _ask("display ip http"),
        "ftp_server": Default("off"),
        "login_lockout": _ask("display password-control"),
        "password_policy": Default("off"),
        "ssh_algorithms": _ask("display ssh server status"),
        "vty_protocol": _ask("display line vty 0"),
        "line_auth": _ask("display line"),
        "logging": Default("on"),
        "snmp_agent": Default("off"),
    },
    "cisco_ios": {
        "idle_timeout": Default("10"),
        "http_server": _ask(_IOS_ALL + "ip http"),
        "vty_transport": _ask(_IOS_ALL + "transport input"),
        "login_lockout": Default("off"),
        "password_policy": Default("off"),
        "ssh_algorithms": _ask("show ip ssh"),
        "source_route": Default("on"),
        "bootp_server": Default("on"),
        "pad": Default("on"),
        "logging": Default("on"),
        "ssh_version": Default("1.99"),
    },
    "cisco_asa": {
        "ssh_timeout": Default("5"),
        "console_timeout": Default("0"),
        "http_server": Default("off"),
        "login_lockout": Default("off"),
        "password_policy": Default("off"),
        "ssh_algorithms": _ask("show ssh"),
        "logging": Default("off"),
    },
    "juniper_junos": {
        "idle_timeout": Default("0"),
        "telnet_server": Default("off"),
        "http_server": Default("off"),
        "login_lockout": Default("off"),
        "password_policy": _ask("show configuration system login password"),
        "ssh_algorithms": _ask("show configuration system services ssh | display inheritance "
                               "defaults"),
        "logging": Default("off"),
    },
    "fortinet_fortios": {
        "idle_timeout": Default("5"),
        "login_lockout": Default("3"),
        "password_policy": Default("off"),
        "ssh_algorithms": _ask("show full-configuration system global | grep ssh"),
        "logging": Default("off"),
    },
    "paloalto_panos": {
        "idle_timeout": Default("60"),
        "telnet_server": Default("off"),
        "http_server": Default("off"),
        "login_lockout": Default("off"),
        "password_policy": Default("off"),
        "logging": Default("off"),
    },
}


class NoDefault(LookupError):
    """A check names a setting the family's table does not have: a bug in the check."""


def default_for(family: str, release: str, setting: str) -> Default:
    entry = DEFAULTS.get(family, {}).get(setting)
    if entry is None:
        raise NoDefault(f"no default for {setting!r} on {family}")
    if isinstance(entry, dict):
        return entry.get(release) or entry[""]
    return entry


def question(family: str, setting: str, command: str) -> str:
    """The manual question for a release-dependent default, Chinese / English."""
    fields = {"family": family, "command": command}
    zh = t("netdev.ask.release_default", "zh", setting=t(f"netdev.setting.{setting}", "zh"),
           **fields)
    en = t("netdev.ask.release_default", "en", setting=t(f"netdev.setting.{setting}", "en"),
           **fields)
    return f"{zh} / {en}"


def settings() -> set[str]:
    return {s for table in DEFAULTS.values() for s in table}
