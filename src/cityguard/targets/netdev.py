"""`netdev:PATH`: saved configurations of switches, routers and firewalls.

PATH is one backup file or a directory of them (Oxidized, RANCID, exports from the device's
CLI); each file is one device, one asset. The vendor and OS family come from the content
(targets/netdev_detect.py) unless `--device-type` names it. The configuration is parsed once
into a tree of lines (targets/netdev_tree.py) that the `netdev` probes query.

A file that is not a configuration (binary, empty, another vendor's, truncated) is refused with
one line naming the file; the other files of the directory go on (`expand_netdev`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cityguard.core.errors import DataError, TargetError
from cityguard.core.limits import MAX_TARGET_FILE, MiB
from cityguard.targets import TARGETS
from cityguard.targets.base import CommandResult, CommandsUnavailable, FileStat, HostFacts
from cityguard.targets.netdev_detect import FAMILIES, Detected, detect, device_type
from cityguard.targets.netdev_tree import (
    Node,
    brace_tree,
    forti_tree,
    indented_tree,
    panos_xml_tree,
    set_tree,
)

#: the pseudo-path under which a device's configuration is seen by file-reading probes
CONFIG_PATH = "/running-config"
NO_COMMANDS = "a saved device configuration runs no commands"
#: control characters and undecodable bytes: a text file of any vendor has (almost) none
_ODD = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_HOSTNAME = re.compile(r"^\s*(?:sysname|hostname|host-name|set system host-name|set hostname|"
                       r"set deviceconfig system hostname)\s+\"?([^\s\";]+)|<hostname>([^<]+)<",
                       re.M)


@dataclass(frozen=True)
class DeviceConfig:
    """One device's configuration, parsed."""

    path: str
    family: str
    dialect: str
    release: str
    root: Node
    hostname: str = ""


def decode(data: bytes, path: str) -> str:
    """Configuration text, or DataError for binary data (a config is text in any vendor)."""
    if b"\x00" in data[:65536]:
        raise DataError(path, "binary data (NUL bytes), not a device configuration")
    text = data.decode("utf-8", "replace")
    sample = text[:65536]
    odd = len(_ODD.findall(sample))
    if sample and odd * 20 > len(sample):
        raise DataError(path, "binary data, not a device configuration")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_device(text: str, path: str, family: str | None = None) -> DeviceConfig:
    """Detect (or take) the family, build the tree, refuse truncated files."""
    found = detect(text, path) if family is None else _forced(text, path, family)
    lines = text.split("\n")
    if found.dialect == "xml":
        root = panos_xml_tree(text, path)
    elif found.dialect == "forti":
        root = forti_tree(lines, path)
    elif found.dialect == "brace":
        root = brace_tree(lines, path, "config" if found.family == "paloalto_panos" else "")
    elif found.dialect == "set":
        root = set_tree(lines)
    else:
        root = indented_tree(lines, hash_resets=found.family in ("huawei_vrp", "h3c_comware"),
                             asa=found.family == "cisco_asa")
        _complete(lines, path, found)
    if not root.children:
        raise DataError(path, f"no configuration lines for {found.family}")
    _keep_version_header(root, text, found.family)
    m = _HOSTNAME.search(text)
    return DeviceConfig(path, found.family, found.dialect, found.release, root,
                        (m.group(1) or m.group(2) or "") if m else "")


#: header lines (comments to the tree builders) that state the software release: kept as a
#: node of their own, so a check can quote the version an assessor must compare with advisories
_VERSION_HEADER = {
    "huawei_vrp": re.compile(r"^!Software Version V\S+", re.M),
    "fortinet_fortios": re.compile(r"^#(?:config-version=| Version: )\S.*$", re.M),
    "paloalto_panos": re.compile(r"^[ \t]*<config\b[^>\n]{0,300}\bversion=\"[^\"\n]{1,40}\"", re.M),
}


def _keep_version_header(root: Node, text: str, family: str) -> None:
    header = _VERSION_HEADER.get(family)
    m = header.search(text, 0, 65536) if header is not None else None
    if m is not None:
        line = text.count("\n", 0, m.start()) + 1
        root.children.insert(0, Node(m.group(0).strip()[:200], line))


def _forced(text: str, path: str, family: str) -> Detected:
    """`--device-type`: the family is given; the format still comes from the content."""
    family = device_type(family)
    try:
        seen = detect(text, path)
    except DataError:
        seen = None
    if seen is not None and seen.family == family:
        return seen
    if family == "fortinet_fortios":
        return Detected(family, "forti")
    if family in ("juniper_junos", "paloalto_panos"):
        t = text.lstrip()
        dialect = "xml" if t.startswith("<") else "set" if t.startswith("set ") else "brace"
        return Detected(family, dialect)
    return Detected(family, "indented", "")


#: a complete dump of these OSes ends with this line; a dump that says it is one and lacks it
#: was cut short (a transfer that stopped, a disk that filled up)
_END = {"huawei_vrp": "return", "h3c_comware": "return", "cisco_ios": "end"}
_DUMP_HEADER = {
    "huawei_vrp": r"^!Software Version V|^\s*version \d",
    "h3c_comware": r"^\s*version [57]\.\d+",
    "cisco_ios": r"^(version \d+\.\d+\s*$|Building configuration|Current configuration :)",
}


def _complete(lines: list[str], path: str, found: Detected) -> None:
    end = _END.get(found.family)
    if end is None or not re.search(_DUMP_HEADER[found.family], "\n".join(lines[:400]), re.M):
        return
    last = max((n for n, s in enumerate(lines, 1) if s.strip()), default=0)
    if last and lines[last - 1].strip() != end:
        raise DataError(path, f"truncated: a complete {found.family} dump ends with `{end}`, "
                              f"this one stops at line {last}", line=last)


def read_config(path: str | Path, family: str | None = None) -> DeviceConfig:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_TARGET_FILE:
            raise DataError(p, f"{size / MiB:.1f} MiB, over the limit of "
                               f"{MAX_TARGET_FILE // MiB} MiB for a device configuration")
        data = p.read_bytes()
    except OSError as exc:
        raise DataError(p, exc.strerror or str(exc)) from None
    return parse_device(decode(data, str(p)), str(p), family)


def expand_netdev(spec: str) -> list[str]:
    """`netdev:DIR` → one `netdev:FILE` per regular file below DIR (sorted; dot files skipped)."""
    raw = spec.split(":", 1)[1] if ":" in spec else ""
    if not raw:
        raise TargetError("netdev: target needs a path, e.g. netdev:/srv/oxidized/configs")
    p = Path(raw).expanduser()
    if p.is_file():
        return [f"netdev:{p}"]
    if not p.is_dir():
        raise TargetError(f"netdev: target {raw} is neither a file nor a directory")
    out = []
    for dirpath, dirnames, filenames in os.walk(p):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(f"netdev:{Path(dirpath) / f}" for f in sorted(filenames)
                   if not f.startswith(".") and (Path(dirpath) / f).is_file())
    if not out:
        raise TargetError(f"netdev: target {raw} holds no files")
    return out


class NetdevTarget:
    """One saved configuration. Probes read it as a parsed tree (`device()`)."""

    name: ClassVar[str] = "netdev"
    kind: ClassVar[str] = "netdev"
    asset_type: ClassVar[str] = "network_device"
    can_run_commands = False

    def __init__(self, spec: str, asset_id: str | None = None,
                 device_type: str | None = None) -> None:
        self.spec = spec
        raw = spec.split(":", 1)[1] if ":" in spec else ""
        if not raw or not Path(raw).is_file():
            raise TargetError(f"netdev: target {raw or spec} is not a file")
        self.path = str(Path(raw).expanduser().resolve())
        self.device_type = device_type
        self.asset_id = asset_id or Path(raw).name
        self._config: DeviceConfig | None = None

    def device(self) -> DeviceConfig:
        """The parsed configuration (DataError when the file is not one)."""
        if self._config is None:
            self._config = read_config(self.path, self.device_type)
        return self._config

    def connect(self) -> None:
        """Parse now, so that a bad file is refused before any check runs."""
        self.device()

    # -- the Target protocol: the configuration is the one file there is ------------------------

    def read_bytes(self, path: str, max_bytes: int = MAX_TARGET_FILE) -> bytes:
        if path != CONFIG_PATH:
            raise FileNotFoundError(2, "No such file or directory", path)
        with open(self.path, "rb") as fh:
            return fh.read(max_bytes)

    def stat(self, path: str) -> FileStat | None:
        if path != CONFIG_PATH:
            return None
        st = os.stat(self.path)
        return FileStat(CONFIG_PATH, st.st_mode & 0o7777, st.st_uid, st.st_gid, str(st.st_uid),
                        str(st.st_gid), st.st_size, st.st_mtime)

    def list_dir(self, path: str) -> list[str]:
        return [CONFIG_PATH[1:]] if path == "/" else []

    def glob(self, pattern: str) -> list[str]:
        import fnmatch

        return [CONFIG_PATH] if fnmatch.fnmatchcase(CONFIG_PATH, pattern) else []

    def run(self, argv: list[str], timeout: float) -> CommandResult:
        raise CommandsUnavailable(NO_COMMANDS)

    def facts(self) -> HostFacts:
        try:
            return device_facts(self.device())
        except DataError:  # refused when connecting; the asset still needs a name
            return device_facts(None)

    def close(self) -> None:
        return None


def device_facts(config: DeviceConfig | None) -> HostFacts:
    """What the engine needs to pick the checks of a device: platform netdev + its family."""
    if config is None:
        return HostFacts(os_family="unknown", platform="netdev")
    return HostFacts(os_family=config.family, os_id=config.dialect, os_version=config.release,
                     os_name=config.family, hostname=config.hostname, platform="netdev")


def _register() -> None:
    if "netdev" not in TARGETS:
        TARGETS.register(NetdevTarget)


_register()

__all__ = ["CONFIG_PATH", "FAMILIES", "DeviceConfig", "NetdevTarget", "device_facts",
           "expand_netdev", "parse_device", "read_config"]
