"""The network-device OS families cityguard reads, and the names people and tools give them.

One list for every place a device type is written: `--device-type`, a manifest asset's
`device_type`, an inventory's `ansible_network_os`, and the `os_family` of device checks. It
lives here, below the targets, so that the manifest and inventory loaders can refuse an
unknown name with its file and line before anything is opened.
"""

from __future__ import annotations

#: the OS families (registry key, `--device-type`, checks' `os_family`)
FAMILIES = ("huawei_vrp", "h3c_comware", "cisco_ios", "cisco_asa", "juniper_junos",
            "fortinet_fortios", "paloalto_panos")

#: names people and tools use for the families (netmiko device types, Ansible network OSes)
ALIASES = {
    "huawei": "huawei_vrp", "vrp": "huawei_vrp", "huawei_vrpv8": "huawei_vrp", "ce": "huawei_vrp",
    "h3c": "h3c_comware", "comware": "h3c_comware", "hp_comware": "h3c_comware",
    "cisco": "cisco_ios", "ios": "cisco_ios", "cisco_xe": "cisco_ios", "iosxe": "cisco_ios",
    "asa": "cisco_asa", "junos": "juniper_junos", "juniper": "juniper_junos",
    "fortinet": "fortinet_fortios", "fortios": "fortinet_fortios", "fortigate": "fortinet_fortios",
    "paloalto": "paloalto_panos", "panos": "paloalto_panos", "pan-os": "paloalto_panos",
}  # fmt: skip


def family_of(name: str) -> str | None:
    """The family a device-type name or alias stands for (cisco.ios.ios → cisco_ios), or None."""
    key = name.strip().lower()
    if key in FAMILIES:
        return key
    last = key.rsplit(".", 1)[-1]  # Ansible's collection-qualified names
    for k in (key, last):
        if k in ALIASES:
            return ALIASES[k]
    return None


def unknown_device_type(name: str) -> str:
    """The one sentence for a name no family answers to."""
    return f"unknown device type {name!r}; known: {', '.join(FAMILIES)}"
