"""`sysctl`: a kernel parameter, as running (/proc/sys) or as configured (sysctl.d files)."""

from __future__ import annotations

import posixpath
from typing import Any

from cityguard.engine import styles
from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    Value,
    register,
)
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

#: systemd-sysctl order: files sorted by name across these dirs, earlier dirs shadowing later
CONFIG_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
               "/lib/sysctl.d")


def normalise(key: str) -> str:
    return key.strip().replace("/", ".")


def configured(ctx: ProbeContext) -> dict[str, tuple[str, str, int]]:
    """key → (value, file, line) as systemd-sysctl would apply the files at boot."""

    def compute() -> dict[str, tuple[str, str, int]]:
        chosen: dict[str, str] = {}
        for d in reversed(CONFIG_DIRS):  # earlier dirs win for the same file name
            for p in ctx.target.glob(f"{d}/*.conf"):
                chosen[posixpath.basename(p)] = p
        files = [chosen[name] for name in sorted(chosen)] + ["/etc/sysctl.conf"]
        out: dict[str, tuple[str, str, int]] = {}
        for p in files:
            text = ctx.read_text(p)
            if text is None:
                continue
            for e in styles.parse("equals", text, p, lambda _pattern: []):
                out[normalise(e.key.lstrip("-"))] = (str(e.value), e.file, e.line)
        return out

    return ctx.cached("sysctl-config", compute)


@register
class SysctlProbe(BaseProbe):
    name = "sysctl"
    params = {
        "key": {"type": "string", "pattern": "^[a-z0-9_.*/-]+$"},
        "source": {"enum": ["runtime", "config"]},
    }
    required = ("key",)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        key = normalise(params["key"])
        if params.get("source", "runtime") == "config":
            hit = configured(ctx).get(key)
            if hit is None:
                return Observation.of([], note=say("engine.probe.sysctl_unset", key=key))
            return Observation.of([Value(hit[0], file=hit[1], line=hit[2])])
        if not target.can_run_commands:
            # a directory of files has no running kernel
            return Observation.na(say("engine.probe.dir_no_kernel"))
        path = "/proc/sys/" + key.replace(".", "/")
        text = ctx.read_text(path)
        if text is None:
            return Observation.of([], note=say("engine.probe.no_kernel_key", path=path))
        return Observation.of([Value(" ".join(text.split()), file=path)])
