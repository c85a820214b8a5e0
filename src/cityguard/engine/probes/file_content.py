"""`file_content`: lines of files matching a regular expression, with file and line."""

from __future__ import annotations

from typing import Any

from cityguard.engine.patterns import Budget, compile_pattern
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

MAX_VALUES = 1000


@register
class FileContentProbe(BaseProbe):
    name = "file_content"
    params = {
        "path": PATH,
        "pattern": {"type": "string", "minLength": 1},
        "capture": {"type": ["integer", "string"]},
        "ignore_comments": {"type": "boolean"},
    }
    required = ("path", "pattern")

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        regex = compile_pattern(params["pattern"])
        capture = params.get("capture")
        skip_comments = params.get("ignore_comments", True)
        paths = glob_paths(ctx, params["path"])
        values: list[Value] = []
        for path in paths:
            text = ctx.read_text(path)
            if text is None:
                continue
            in_key = False
            budget = Budget(path)  # every line of one file: limits.REGEX_SECONDS in all
            for no, line in enumerate(text.splitlines(), 1):
                if "PRIVATE KEY-----" in line:
                    in_key = "BEGIN" in line
                if skip_comments and line.lstrip().startswith("#"):
                    continue
                m = budget.search(regex, line, f"{path}:{no}")
                if not m:
                    continue
                value = line.strip() if capture is None else m.group(capture)
                if in_key:  # key material, line by line, is never shown (nor judged)
                    value = "***"
                values.append(Value(value, file=path, line=no))
                if len(values) >= MAX_VALUES:
                    return Observation.of(
                        values, note=say("engine.probe.first_matches", n=MAX_VALUES))
        note = "" if paths else say("engine.probe.no_file", path=params["path"])
        return Observation.of(values, note=note)
