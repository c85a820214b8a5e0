"""`file`: existence, permissions, ownership, type, size and age of files (glob allowed)."""

from __future__ import annotations

import time
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
from cityguard.targets.base import FileStat, Target

PROPERTIES = ("exists", "mode", "owner", "group", "type", "size", "age_days")


def mode_text(mode: int) -> str:
    """Permission bits as the four-digit octal text people write: 0644, 2755."""
    return f"{mode:04o}"


def file_property(st: FileStat, prop: str, now: float) -> Any:
    if prop == "mode":
        return mode_text(st.mode)
    if prop == "owner":
        return st.owner
    if prop == "group":
        return st.group
    if prop == "type":
        return "dir" if st.is_dir else "file" if st.is_file else "other"
    if prop == "size":
        return st.size
    if prop == "age_days":
        return round(max(0.0, now - st.mtime) / 86400, 2)
    return True


@register
class FileProbe(BaseProbe):
    name = "file"
    params = {"path": PATH, "property": {"enum": list(PROPERTIES)}}
    required = ("path",)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        pattern = params["path"]
        prop = params.get("property", "exists")
        paths = glob_paths(ctx, pattern)
        if prop == "exists" and not paths:
            return Observation.of([Value(False, subject=pattern)],
                                  note=say("engine.probe.not_found", path=pattern))
        now = time.time()
        values = []
        for p in paths:
            st = target.stat(p)
            if st is None:
                continue
            values.append(Value(file_property(st, prop, now), file=p, subject=p))
        if prop == "exists" and not values:
            values = [Value(False, subject=pattern)]
        note = "" if values else say("engine.probe.no_file", path=pattern)
        return Observation.of(values, note=note)
