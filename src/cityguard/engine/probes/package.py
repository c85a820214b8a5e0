"""`package`: whether a package is installed, and its version (dpkg status file, or rpm -q)."""

from __future__ import annotations

from collections.abc import Iterator
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


def stanzas(text: str) -> Iterator[tuple[int, str]]:
    """(line of its first field, text) of each paragraph of a Debian control file.

    Split on blank lines and searched with str.find: a dpkg status or apt list holds
    thousands of paragraphs, and a Python loop over every line costs ten times as much.
    """
    line = 1
    for piece in text.split("\n\n"):
        stanza = piece.lstrip("\n")
        start = line + len(piece) - len(stanza)  # blank lines before the paragraph
        line += piece.count("\n") + 2
        if stanza:
            yield start, stanza


def field(stanza: str, name: str) -> str:
    """The value of a field of one paragraph (its first line); "" when absent."""
    if stanza.startswith(f"{name}:"):
        at = 0
    else:
        at = stanza.find(f"\n{name}:") + 1
        if at == 0:
            return ""
    end = stanza.find("\n", at)
    return stanza[at + len(name) + 1:end if end >= 0 else None].strip()


def dpkg_records(ctx: ProbeContext) -> list[tuple[str, str, str, int]] | None:
    """(name, version, architecture, line) of each installed package; None without dpkg."""

    def compute() -> list[tuple[str, str, str, int]] | None:
        text = ctx.read_text(DPKG_STATUS)
        if text is None:
            return None
        out: list[tuple[str, str, str, int]] = []
        for start, stanza in stanzas(text):
            name = field(stanza, "Package")
            if name and field(stanza, "Status").split()[-1:] == ["installed"]:
                out.append((name, field(stanza, "Version"), field(stanza, "Architecture"),
                            start))
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
