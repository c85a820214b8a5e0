"""`apparmor`: the AppArmor profiles in /etc/apparmor.d and the programs they confine.

A profile only controls access when it is loaded in enforce mode: a file under disable/ (or
a symlink there) is not loaded, complain mode (flags=(complain), force-complain/) only logs.
`property: profiles` yields "<mode> <attachment>" per profile; `property: confined` yields,
for each of `programs` present on the target, the mode of the profile that attaches to it
("enforce", "complain", "disabled" or "unconfined"), so a check can ask that the services that
matter are confined rather than that AppArmor merely runs.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from cityguard.engine.probes.base import (
    PATH,
    BaseProbe,
    Observation,
    ProbeContext,
    Value,
    glob_paths,
    register,
)
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

ROOT = "/etc/apparmor.d"
#: directories of /etc/apparmor.d that hold no profiles of their own
NOT_PROFILES = {"abi", "abstractions", "tunables", "local", "disable", "force-complain",
                "cache", "libvirt", "apache2.d"}
_HEADER = re.compile(
    # the path needs a blank before it: `\S+\s*(/\S*)?` split a long name in n² ways
    r"^(?:profile\s+(?P<name>\S+)(?:\s+(?P<path1>/\S*))?|(?P<path2>/\S+))"
    r"\s*(?:flags\s*=\s*\((?P<flags>[^)]*)\))?\s*\{")


@dataclass(frozen=True)
class Profile:
    attachment: str  # the path pattern the profile attaches to (or its name)
    mode: str  # enforce | complain | disabled
    file: str
    line: int


def _expand(pattern: str) -> list[str]:
    """AppArmor's {a,b} alternation expanded into fnmatch patterns ('**' matches like '*')."""
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern.replace("**", "*")]
    out = []
    for alt in m.group(1).split(","):
        out += _expand(pattern[:m.start()] + alt + pattern[m.end():])
    return out


def profiles(ctx: ProbeContext) -> list[Profile]:
    def compute() -> list[Profile]:
        disabled = set(ctx.target.list_dir(f"{ROOT}/disable"))
        complain = set(ctx.target.list_dir(f"{ROOT}/force-complain"))
        out: list[Profile] = []
        for name in ctx.target.list_dir(ROOT):
            path = f"{ROOT}/{name}"
            st = ctx.target.stat(path)
            if name in NOT_PROFILES or name.startswith(".") or st is None or not st.is_file:
                continue
            for no, line in enumerate((ctx.read_text(path) or "").splitlines(), 1):
                m = _HEADER.match(line)  # top-level headers start the line; hats are indented
                if not m:
                    continue
                attach = m.group("path1") or m.group("path2") or m.group("name") or ""
                flags = (m.group("flags") or "").replace(",", " ").split()
                mode = ("disabled" if name in disabled
                        else "complain" if name in complain or "complain" in flags
                        else "enforce")
                out.append(Profile(attach, mode, path, no))
        return out

    return ctx.cached("apparmor-profiles", compute)


def mode_of(program: str, found: list[Profile]) -> Profile | None:
    for p in found:
        if any(fnmatch.fnmatchcase(program, pat) for pat in _expand(p.attachment)):
            return p
    return None


@register
class AppArmorProbe(BaseProbe):
    name = "apparmor"
    params = {
        "property": {"enum": ["profiles", "confined"]},
        "programs": {"type": "array", "items": PATH, "minItems": 1},
    }
    required = ()

    def subject(self, params: dict[str, Any]) -> str:
        if params.get("property") == "confined":
            return "AppArmor confinement of " + ", ".join(params.get("programs", []))
        return say("engine.probe.apparmor_subject", path=ROOT)

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        if params.get("property") == "confined" and not params.get("programs"):
            return [("programs", "property confined needs the programs to look for")]
        return []

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        if target.stat(ROOT) is None:
            return Observation.of([], note=say("engine.probe.absent", path=ROOT))
        found = profiles(ctx)
        if params.get("property", "profiles") == "profiles":
            return Observation.of([Value(f"{p.mode} {p.attachment}", file=p.file, line=p.line,
                                         subject=p.attachment) for p in found])
        values = []
        for pattern in params["programs"]:
            for program in glob_paths(ctx, pattern):
                p = mode_of(program, found)
                values.append(Value(p.mode if p else "unconfined", file=p.file if p else None,
                                    line=p.line if p else None, subject=program))
        note = "" if values else say("engine.probe.no_program_installed")
        return Observation.of(values, note=note)
