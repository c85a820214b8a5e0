"""`command`: run a program (an argv list, never a shell string) and observe its output."""

from __future__ import annotations

from typing import Any

from cityguard.engine.probes.base import BaseProbe, Observation, ProbeContext, ProbeError, Value
from cityguard.engine.probes.base import register as _register
from cityguard.policy.messages import text as say
from cityguard.targets.base import CommandsUnavailable, Target

FIELDS = ("stdout", "stderr", "exit_code", "lines")
DEFAULT_TIMEOUT = 10.0
#: grace the runner's watchdog gives beyond the command's own timeout
GRACE_S = 2.0


def run_or_na(target: Target, argv: list[str], timeout: float) -> Any:
    """CommandResult, or an Observation.na when the target cannot run it at all."""
    try:
        res = target.run(list(argv), timeout)
    except CommandsUnavailable as exc:
        return Observation.na(str(exc))
    except FileNotFoundError:
        return Observation.na(say("engine.probe.no_program", program=argv[0]))
    except PermissionError:
        raise ProbeError(say("engine.probe.denied_run", program=argv[0])) from None
    if res.timed_out:
        raise ProbeError(say("engine.probe.command_timeout", command=" ".join(argv),
                             seconds=f"{timeout:g}"))
    if res.exit_code == 127 and "not found" in res.stderr:  # a remote shell's answer
        return Observation.na(say("engine.probe.no_program", program=argv[0]))
    return res


@_register
class CommandProbe(BaseProbe):
    name = "command"
    params = {
        "argv": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 600},
        "field": {"enum": list(FIELDS)},
    }
    required = ("argv",)

    def subject(self, params: dict[str, Any]) -> str:
        return " ".join(params["argv"])

    def timeout(self, params: dict[str, Any], default: float) -> float:
        return float(params.get("timeout", default)) + GRACE_S

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        argv, timeout = params["argv"], float(params.get("timeout", ctx.default_timeout))
        # rules that read several fields of one command (exit code, then lines) run it once
        res = ctx.cached(("command", tuple(argv), timeout),
                         lambda: run_or_na(target, argv, timeout))
        if isinstance(res, Observation):
            return res
        field = params.get("field", "stdout")
        if field == "exit_code":
            return Observation.of([Value(res.exit_code)])
        if field == "lines":
            return Observation.of([Value(line, line=i)
                                   for i, line in enumerate(res.stdout.splitlines(), 1)
                                   if line.strip()])
        text = res.stdout if field == "stdout" else res.stderr
        return Observation.of([Value(text.strip())],
                              note=say("engine.probe.exit_code", code=res.exit_code))
