"""Operating-system identification from os-release and the distributions' own release files.

Shared by every target kind: a target hands over the text of the files, this module decides
the family. Domestic distributions (Kylin, openEuler, UOS, Anolis) are families of their own
because their paths and release files differ from the upstream they derive from.
"""

from __future__ import annotations

import re

from cityguard.targets.base import HostFacts

#: os-release ID (lower-case) → family
_FAMILY_BY_ID = {
    "debian": "debian",
    "raspbian": "debian",
    "ubuntu": "ubuntu",
    "linuxmint": "ubuntu",
    "rhel": "rhel-like",
    "centos": "rhel-like",
    "rocky": "rhel-like",
    "almalinux": "rhel-like",
    "ol": "rhel-like",
    "fedora": "rhel-like",
    "amzn": "rhel-like",
    "tencentos": "rhel-like",
    "opencloudos": "rhel-like",
    "kylin": "kylin",
    "neokylin": "kylin",
    "openeuler": "openeuler",
    "euleros": "openeuler",
    "hce": "openeuler",  # Huawei Cloud EulerOS
    "uos": "uos",
    "uniontech": "uos",
    "deepin": "uos",
    "anolis": "anolis",
    "alinux": "anolis",  # Alibaba Cloud Linux 3 is built from Anolis
}

#: release files that predate or replace os-release on some domestic systems, in search order
RELEASE_FILES = (
    ("/etc/kylin-release", "kylin"),
    ("/etc/neokylin-release", "kylin"),
    ("/etc/openEuler-release", "openeuler"),
    ("/etc/uos-release", "uos"),
    ("/etc/anolis-release", "anolis"),
    ("/etc/redhat-release", "rhel-like"),
    ("/etc/debian_version", "debian"),
)

_LINE = re.compile(r"^([A-Za-z0-9_]+)=(.*)$")


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines, shell-style quotes removed (os-release(5))."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        m = _LINE.match(raw.strip())
        if not m:
            continue
        value = m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[m.group(1)] = value.replace('\\"', '"').replace("\\\\", "\\")
    return out


def family_of(fields: dict[str, str]) -> str:
    """The family of an os-release mapping; ID wins over ID_LIKE (Kylin declares ID_LIKE=…)."""
    ident = fields.get("ID", "").strip().lower()
    if ident in _FAMILY_BY_ID:
        return _FAMILY_BY_ID[ident]
    name = fields.get("NAME", "").lower()
    for needle, fam in (("kylin", "kylin"), ("openeuler", "openeuler"), ("uniontech", "uos"),
                        ("anolis", "anolis")):
        if needle in name:
            return fam
    for like in fields.get("ID_LIKE", "").lower().split():
        if like in ("rhel", "fedora", "centos"):
            return "rhel-like"
        if like in _FAMILY_BY_ID:
            return _FAMILY_BY_ID[like]
    return ident or "unknown"


def container_hint(files: dict[str, str], env_container: str = "") -> bool:
    """True when the markers of a container runtime are present.

    `files` maps the marker paths that exist to their (possibly partial) text: /.dockerenv,
    /run/.containerenv, /proc/1/cgroup, /proc/1/environ.
    """
    if env_container or "/.dockerenv" in files or "/run/.containerenv" in files:
        return True
    cgroup = files.get("/proc/1/cgroup", "")
    if re.search(r"docker|kubepods|containerd|lxc|libpod|crio", cgroup):
        return True
    return "container=" in files.get("/proc/1/environ", "")


def facts_from_files(read_text, hostname: str, in_container: bool):  # type: ignore[no-untyped-def]
    """HostFacts from a reader `read_text(path) -> str | None` (None when absent/unreadable)."""
    text = read_text("/etc/os-release") or read_text("/usr/lib/os-release")
    fields = parse_os_release(text) if text else {}
    family = family_of(fields) if fields else "unknown"
    extra: dict[str, str] = {}
    if family in ("unknown", "rhel-like", "debian"):
        # a domestic release file beats the upstream family some derivatives claim
        for path, fam in RELEASE_FILES:
            rel = read_text(path)
            if rel is not None:
                extra["release_file"] = path
                if family == "unknown" or fam not in ("rhel-like", "debian"):
                    family = fam
                    fields.setdefault("PRETTY_NAME", rel.strip().splitlines()[0] if rel else "")
                break
    platform = "linux" if fields or family != "unknown" else "unknown"
    if fields.get("ID_LIKE"):
        extra["id_like"] = fields["ID_LIKE"]
    return HostFacts(
        os_family=family,
        os_id=fields.get("ID", "").lower(),
        os_version=fields.get("VERSION_ID", ""),
        os_name=fields.get("PRETTY_NAME", "") or fields.get("NAME", ""),
        hostname=hostname,
        platform=platform,
        in_container=in_container,
        extra=extra,
    )
