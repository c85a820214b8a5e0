"""`cron`: scheduled jobs whose command matches a pattern (cron tables, cron.* dirs, timers)."""

from __future__ import annotations

import re
from typing import Any

from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    register,
)
from cityguard.engine.probes.service import UNIT_DIRS
from cityguard.targets.base import Target

_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
PERIODIC = ("hourly", "daily", "weekly", "monthly")


def _command(line: str, with_user: bool) -> str | None:
    s = line.strip()
    if not s or s.startswith("#") or _ENV.match(s):
        return None
    parts = s.split()
    skip = 1 if s.startswith("@") else 5
    if with_user:
        skip += 1
    return " ".join(parts[skip:]) if len(parts) > skip else None


def jobs(ctx: ProbeContext) -> tuple[list[tuple[str, str, int | None]], list[str]]:
    """(command or name, file, line) of every scheduled job, and the files that were unreadable."""

    def compute() -> tuple[list[tuple[str, str, int | None]], list[str]]:
        out: list[tuple[str, str, int | None]] = []
        unreadable: list[str] = []
        tables = [("/etc/crontab", True)]
        tables += [(p, True) for p in ctx.target.glob("/etc/cron.d/*")]
        tables += [(p, False) for p in ctx.target.glob("/var/spool/cron/crontabs/*")]
        tables += [(p, False) for p in ctx.target.glob("/var/spool/cron/*")
                   if not p.endswith("/crontabs")]
        for path, with_user in tables:
            try:
                text = ctx.read_text(path)
            except ProbeError:
                unreadable.append(path)
                continue
            for no, line in enumerate((text or "").splitlines(), 1):
                cmd = _command(line, with_user)
                if cmd:
                    out.append((cmd, path, no))
        for period in PERIODIC:
            for name in ctx.target.list_dir(f"/etc/cron.{period}"):
                if not name.startswith("."):
                    out.append((name, f"/etc/cron.{period}/{name}", None))
        out.extend(_timers(ctx, unreadable))
        return out, unreadable

    return ctx.cached("cron", compute)


def _timers(ctx: ProbeContext, unreadable: list[str]) -> list[tuple[str, str, int | None]]:
    out: list[tuple[str, str, int | None]] = []
    seen: set[str] = set()
    for d in UNIT_DIRS:
        for timer in ctx.target.list_dir(d):
            if not timer.endswith(".timer") or timer in seen:
                continue
            seen.add(timer)
            unit = timer[:-6] + ".service"
            try:
                text = ctx.read_text(f"{d}/{timer}") or ""
                m = re.search(r"^\s*Unit\s*=\s*(\S+)", text, re.MULTILINE)
                if m:
                    unit = m.group(1)
                service = next((t for t in (ctx.read_text(f"{u}/{unit}") for u in UNIT_DIRS)
                                if t is not None), "")
            except ProbeError:
                unreadable.append(f"{d}/{timer}")
                continue
            execs = re.findall(r"^\s*ExecStart\s*=\s*[-@:+!]*(.+)$", service, re.MULTILINE)
            out.append((f"{timer}: {'; '.join(e.strip() for e in execs) or unit}",
                        f"{d}/{timer}", None))
    return out


@register
class CronProbe(BaseProbe):
    name = "cron"
    params = {"pattern": {"type": "string", "minLength": 1}}
    required = ("pattern",)

    def subject(self, params: dict[str, Any]) -> str:
        return f"scheduled jobs matching {params['pattern']}"

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        regex = re.compile(params["pattern"])
        found, unreadable = jobs(ctx)
        values = [Value(cmd, file=f, line=line) for cmd, f, line in found if regex.search(cmd)]
        note = f"unreadable: {', '.join(unreadable)}" if unreadable else ""
        return Observation.of(values, note=note)
