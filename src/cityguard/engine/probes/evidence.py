"""`evidence`: a document exists (and how old it is), on the target or beside the manifest."""

from __future__ import annotations

import glob as _glob
import os
import time
from pathlib import Path
from typing import Any

from cityguard.engine.probes.base import BaseProbe, Observation, ProbeContext, Value, register
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target


@register
class EvidenceProbe(BaseProbe):
    name = "evidence"
    params = {
        # absolute: a path on the target; relative: beside the system manifest (or the cwd)
        "path": {"type": "string", "minLength": 1},
        "property": {"enum": ["exists", "age_days"]},
    }
    required = ("path",)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        pattern = params["path"]
        found: list[tuple[str, float]] = []
        if pattern.startswith("/"):
            for p in target.glob(pattern):
                st = target.stat(p)
                if st is not None and not st.is_dir:
                    found.append((p, st.mtime))
        else:
            base = Path(ctx.base_dir)
            for p in sorted(_glob.glob(str(base / pattern), recursive=True)):
                if os.path.isfile(p):
                    found.append((p, os.path.getmtime(p)))
        if params.get("property", "exists") == "exists":
            if not found:
                return Observation.of([Value(False, subject=pattern)],
                                      note=say("engine.probe.not_found", path=pattern))
            return Observation.of([Value(True, file=p, subject=p) for p, _ in found])
        if not found:
            return Observation.of([], note=say("engine.probe.not_found", path=pattern))
        newest, mtime = max(found, key=lambda x: x[1])
        age = round(max(0.0, time.time() - mtime) / 86400, 2)
        return Observation.of([Value(age, file=newest, subject=newest)])
