"""`package`: whether a package is installed, and its version (dpkg status file, or rpm -q)."""

from __future__ import annotations

from typing import Any

from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    Value,
    register,
)
from cityguard.engine.probes.command import run_or_na
from cityguard.targets.base import Target

DPKG_STATUS = "/var/lib/dpkg/status"
RPM_FAMILIES = ("rhel-like", "kylin", "openeuler", "anolis")
_NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9+._:-]*$"}


def dpkg_records(ctx: ProbeContext) -> list[tuple[str, str, str, int]] | None:
    """(name, version, architecture, line) of each installed package; None without dpkg."""

    def compute() -> list[tuple[str, str, str, int]] | None:
        text = ctx.read_text(DPKG_STATUS)
        if text is None:
            return None
        out: list[tuple[str, str, str, int]] = []
        name = version = arch = status = ""
        start = 0
        for no, line in enumerate([*text.splitlines(), ""], 1):
            if not line.strip():
                if name and status.split()[-1:] == ["installed"]:
                    out.append((name, version, arch, start))
                name = version = arch = status = ""
                continue
            if line.startswith("Package:"):
                name, start = line[8:].strip(), no
            elif line.startswith("Version:"):
                version = line[8:].strip()
            elif line.startswith("Architecture:"):
                arch = line[13:].strip()
            elif line.startswith("Status:"):
                status = line[7:].strip()
        return out

    return ctx.cached("dpkg-records", compute)


def dpkg_installed(ctx: ProbeContext) -> dict[str, tuple[str, int]] | None:
    """name → (version, line) of installed packages; None when there is no dpkg database."""
    records = dpkg_records(ctx)
    if records is None:
        return None
    return ctx.cached("dpkg", lambda: {n: (v, line) for n, v, _, line in records})


def _rpm(target: Target, name: str) -> Any:
    res = run_or_na(target, ["rpm", "-q", "--qf", "%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n", name],
                    15.0)
    if isinstance(res, Observation):
        return res
    if res.exit_code != 0:
        return None
    version = res.stdout.strip().splitlines()[0] if res.stdout.strip() else ""
    return version[2:] if version.startswith("0:") else version


@register
class PackageProbe(BaseProbe):
    name = "package"
    params = {
        "name": {"anyOf": [_NAME, {"type": "array", "items": _NAME, "minItems": 1}]},
        "property": {"enum": ["installed", "version"]},
    }
    required = ("name",)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        names = params["name"] if isinstance(params["name"], list) else [params["name"]]
        want_version = params.get("property", "installed") == "version"
        dpkg = None if ctx.facts.os_family in RPM_FAMILIES else dpkg_installed(ctx)
        values: list[Value] = []
        for name in names:
            if dpkg is not None:
                hit = dpkg.get(name)
                version, line = hit if hit else (None, None)
                file = DPKG_STATUS if hit else None
            else:
                if not target.can_run_commands:
                    return Observation.na("no dpkg database and the RPM database needs rpm; "
                                          "dir: target runs no commands")
                got = _rpm(target, name)
                if isinstance(got, Observation):
                    return got
                version, line, file = got, None, None
            if want_version:
                if version is not None:
                    values.append(Value(version, file=file, line=line, subject=name))
            else:
                values.append(Value(version is not None, file=file, line=line, subject=name))
        if want_version and not values:
            return Observation.of([], note=f"not installed: {', '.join(names)}")
        return Observation.of(values)
