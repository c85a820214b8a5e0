"""Which device printed this configuration: vendor, OS family and format, from the content.

Backups carry no reliable file name or extension (Oxidized names files after the node, RANCID
after the host), so the family is read from what each OS prints and no other does: VRP's
`!Software Version V…` and `user-interface`/`Vlanif`, Comware's `version 7.1` and `line vty`
with `#` separators, IOS's `version 15.2` + `!` + `end`, ASA's `ASA Version` / `nameif`,
FortiOS's `config system …` blocks, Junos and PAN-OS braces or `set` commands, PAN-OS XML.
A file that is binary, empty, of another vendor or of no vendor at all is refused with one line
that says so (DataError → exit 2 for that file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cityguard.core.errors import DataError, UsageError
from cityguard.system.devicetypes import ALIASES, FAMILIES, family_of, unknown_device_type

# the families and their aliases are listed once, in system/devicetypes.py (the manifest and
# inventory loaders check names against them); re-exported here for the targets and engine
__all__ = ["ALIASES", "FAMILIES", "Detected", "detect", "device_type"]


@dataclass(frozen=True)
class Detected:
    family: str  # one of FAMILIES
    dialect: str  # indented | forti | brace | set | xml
    release: str = ""  # VRP V200/V8, Comware 5/7, IOS 15.2 …, "" when the file does not say


def device_type(name: str) -> str:
    """A family from a `--device-type` value or an alias (cisco.ios.ios → cisco_ios)."""
    family = family_of(name)
    if family is None:
        raise UsageError(unknown_device_type(name))
    return family


def _n(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text, re.M))


#: other vendors' configurations, named so the user learns why the file is refused
_FOREIGN = (
    ("MikroTik RouterOS", r"^# .*by RouterOS|^/(ip|interface|system) "),
    ("Arista EOS", r"^! device: .*EOS|^! Command: show running-config.*\n.*EOS"),
    ("Ruijie RGOS", r"Ruijie|RGOS"),
    ("VyOS / EdgeOS", r"^interfaces \{\s*$(?s:.*)^\s+ethernet eth\d"),
    ("Cisco NX-OS", r"^!Command: show running-config\s*$(?s:.*)^feature "),
)


def detect(text: str, path: str) -> Detected:
    """The family of a configuration, or DataError naming the file and what is wrong with it."""
    head = text.lstrip("\ufeff")
    if not head.strip():
        raise DataError(path, "empty file, not a device configuration")
    stripped = head.lstrip()
    if stripped.startswith("<"):
        if re.search(r"<(mgt-config|deviceconfig|devices)\b", head[:200_000]):
            return Detected("paloalto_panos", "xml")
        raise DataError(path, "XML that is not a PAN-OS configuration")
    for vendor, pattern in _FOREIGN:
        if re.search(pattern, head, re.M):
            raise DataError(path, f"a {vendor} configuration: that vendor is not supported "
                                  f"(supported: {', '.join(FAMILIES)})")
    try:
        found = _by_content(head)
    except AmbiguousVendor as exc:
        raise DataError(path, str(exc)) from None
    if found is None:
        raise DataError(path, "not a device configuration cityguard recognises (no Huawei, "
                              "H3C, Cisco, Juniper, Fortinet or Palo Alto syntax found); "
                              "use --device-type to name the vendor")
    return found


def _by_content(t: str) -> Detected | None:
    sets = _n(r"^set \S", t)
    lines = max(1, _n(r"^\s*[^\s#!]", t))
    if sets >= 3 and sets * 2 >= lines:
        if _n(r"^set (deviceconfig|mgt-config|rulebase|shared) ", t):
            return Detected("paloalto_panos", "set")
        if _n(r"^set (system|interfaces|protocols|security|policy-options|firewall|snmp) ", t):
            return Detected("juniper_junos", "set")
    if _n(r"^config (system|firewall|router|user|log) ", t) >= 1 and _n(r"^\s*end\s*$", t):
        return Detected("fortinet_fortios", "forti")
    if _n(r"^\s*[\w-]+ \{\s*$", t) >= 2 and _n(r"^\s*\}\s*$", t) >= 2:
        if _n(r"^\s*(mgt-config|deviceconfig) \{", t):
            return Detected("paloalto_panos", "brace")
        if _n(r"^(version \S+;|\s*system \{|\s*interfaces \{|\s*firewall \{)", t):
            return Detected("juniper_junos", "brace")
    asa = _n(r"^ASA Version |^\s*nameif \S|^\s*security-level \d+|^access-group \S+ (in|out) "
             r"interface ", t)
    if asa >= 2 or re.search(r"^ASA Version ", t, re.M):
        m = re.search(r"^ASA Version (\S+)", t, re.M)
        return Detected("cisco_asa", "indented", m.group(1) if m else "")
    return _huawei_h3c_cisco(t)


def _huawei_h3c_cisco(t: str) -> Detected | None:
    hashes = _n(r"^#\s*$", t)  # VRP and Comware separate blocks with `#`, IOS with `!`
    h3c = (3 * _n(r"^\s*version [57]\.\d+", t)
           + (_n(r"^\s*line (vty|aux|con|class) ", t) if hashes else 0)
           + _n(r"^acl (advanced|basic) |^\s*header motd |^dhcp server ip-pool ", t)
           + 2 * _n(r"^local-user \S+ class (manage|network)", t)
           + 2 * _n(r"^\s*authorization-attribute (user-role|level) ", t)
           + _n(r"Vlan-interface\d|Bridge-Aggregation|^\s*irf |^\s*password-control ", t)
           + _n(r"^\s*port link-mode ", t))
    vrp = (3 * _n(r"^!Software Version V", t) + 2 * _n(r"^aaa\s*$", t)
           + _n(r"Vlanif\d|Eth-Trunk|^\s*stelnet server|^\s*info-center |^\s*user-interface ", t)
           + 2 * _n(r"^\s+local-user \S+ (password|privilege|level|service-type) ", t))
    ios = (2 * _n(r"^version \d+\.\d+\s*$", t) + _n(r"^hostname \S", t)
           + _n(r"^line (vty|con|aux) \d", t) + _n(r"^\s*(no )?service \S", t)
           + _n(r"^(Building configuration|Current configuration :)", t)
           + _n(r"^interface (GigabitEthernet|FastEthernet|Loopback|TenGigabitEthernet)", t))
    vrpish = _n(r"^\s*(undo |sysname |return\s*$)", t)
    if ios >= 3 and hashes < 2 and _n(r"^end\s*$", t):
        m = re.search(r"^version (\S+)", t, re.M)
        return Detected("cisco_ios", "indented", m.group(1) if m else "")
    if h3c >= 2 and h3c >= vrp and (vrpish or h3c >= 4):
        m = re.search(r"^\s*version ([57])\.", t, re.M)
        c7 = _n(r"^\s*line (vty|class) |class manage|user-role", t)
        release = m.group(1) if m else ("7" if c7 else "5")
        return Detected("h3c_comware", "indented", release)
    if vrp >= 2 and vrpish:
        v8 = re.search(r"^!Software Version V8|^\s+local-user \S+ level \d", t, re.M)
        return Detected("huawei_vrp", "indented", "V8" if v8 else "V200")
    if ios >= 3:
        m = re.search(r"^version (\S+)", t, re.M)
        return Detected("cisco_ios", "indented", m.group(1) if m else "")
    if _n(r"^\s*sysname \S", t) and _n(r"^\s*port link-mode |Vlan-interface", t):
        return Detected("h3c_comware", "indented", "5")  # Comware 5 without `#` separators
    if _n(r"^\s*sysname \S", t) and (hashes or vrpish >= 2):
        raise AmbiguousVendor("Huawei VRP or H3C Comware syntax, but nothing in the file tells "
                              "which: use --device-type huawei_vrp or --device-type h3c_comware")
    return None


class AmbiguousVendor(Exception):
    """The syntax is known but two vendors share it; detect() turns it into a DataError."""
