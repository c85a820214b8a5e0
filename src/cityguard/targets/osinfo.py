"""Which OS family a host belongs to, from /etc/os-release (shared by every target kind).

Domestic distributions are first-class: Kylin, openEuler and Anolis use rhel-like paths
(/etc/pam.d/system-auth, /var/log/secure); UOS (统信) is Debian-based. Checks select paths by
`applies.os_family`, so the family decides which variant of a rule runs.
"""

from __future__ import annotations

import shlex

from cityguard.targets.base import HostFacts

# ID= (or an ID_LIKE= entry) → family; the first match in ID then ID_LIKE order wins
_FAMILY_BY_ID = {
    "debian": "debian",
    "raspbian": "debian",
    "ubuntu": "ubuntu",
    "linuxmint": "ubuntu",
    "kylin": "kylin",
    "neokylin": "kylin",
    "openeuler": "openeuler",
    "uos": "uos",
    "uniontech": "uos",
    "deepin": "uos",
    "anolis": "anolis",
    "rhel": "rhel-like",
    "centos": "rhel-like",
    "rocky": "rhel-like",
    "almalinux": "rhel-like",
    "ol": "rhel-like",
    "fedora": "rhel-like",
    "alinux": "rhel-like",
    "opencloudos": "rhel-like",
    "tencentos": "rhel-like",
}


def parse_os_release(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            parts = shlex.split(value)
        except ValueError:
            parts = [value.strip("\"'")]
        values[key.strip()] = parts[0] if parts else ""
    return values


def os_family(values: dict[str, str]) -> str:
    ids = [values.get("ID", "").lower(), *values.get("ID_LIKE", "").lower().split()]
    name = values.get("NAME", "").lower()
    # Kylin ships ID=kylin but some builds say ID=neokylin or only name it in NAME
    if "kylin" in name:
        return "kylin"
    if "uniontech" in name or "uos" in ids:
        return "uos"
    for i in ids:
        if i in _FAMILY_BY_ID:
            return _FAMILY_BY_ID[i]
    return "unknown"


def facts_from_os_release(
    text: str, *, hostname: str = "", in_container: bool = False
) -> HostFacts:
    values = parse_os_release(text)
    return HostFacts(
        os_family=os_family(values) if values else "unknown",
        os_id=values.get("ID", ""),
        os_version=values.get("VERSION_ID", ""),
        os_name=values.get("PRETTY_NAME", values.get("NAME", "")),
        hostname=hostname,
        platform="linux" if values else "unknown",
        in_container=in_container,
    )
