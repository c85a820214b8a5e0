"""`cron`: scheduled jobs whose command matches a pattern (cron tables, cron.* dirs, timers).

What runs is what counts: a timer only when it is enabled (a timer a package ships but nobody
enabled runs nothing), and the scripts jobs call are read too, so a backup inside the script
a cron line or a timer starts is found where the admin wrote it. Each value is one command
line: the job's own, or a line of a script it runs (file and line of the script).
"""

from __future__ import annotations

import re
from typing import Any

from cityguard.engine.patterns import Budget, compile_pattern
from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    register,
)
from cityguard.engine.probes.service import UNIT_DIRS, wants_links
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
_PATH = re.compile(r"(?<![\w$])(/[\w.+@%/-]+)")
PERIODIC = ("hourly", "daily", "weekly", "monthly")
#: a script a job runs is read when it is this small and starts with "#!"
MAX_SCRIPT = 64 * 1024
#: where the distribution's own programs live: their internals are not the site's jobs (a
#: package's housekeeping that tars its own database is not a backup of important data)
SYSTEM_DIRS = ("/usr/lib/", "/usr/lib64/", "/usr/libexec/", "/usr/share/", "/lib/", "/lib64/",
               "/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/")
#: the kernel's files a script may test (man-db's cron job greps /proc/self/status): never a
#: script, and not followed, also because they differ at every read and a fleet's hosts could
#: not share the schedule's outcomes (targets/ssh_memo.py)
KERNEL_DIRS = ("/proc/", "/sys/")

Job = tuple[str, str, "int | None"]  # command line, file, line


def _command(line: str, with_user: bool) -> str | None:
    s = line.strip()
    if not s or s.startswith("#") or _ENV.match(s):
        return None
    parts = s.split()
    skip = 1 if s.startswith("@") else 5
    if with_user:
        skip += 1
    return " ".join(parts[skip:]) if len(parts) > skip else None


def jobs(ctx: ProbeContext) -> tuple[list[Job], list[str]]:
    """(command, file, line) of every scheduled job and of the lines of the scripts they run,
    and the files that were unreadable."""

    def compute() -> tuple[list[Job], list[str]]:
        out: list[Job] = []
        unreadable: list[str] = []
        tables = [("/etc/crontab", True)]
        tables += [(p, True) for p in _listed(ctx, "/etc/cron.d/*", unreadable)]
        tables += [(p, False) for p in _listed(ctx, "/var/spool/cron/crontabs/*", unreadable)]
        tables += [(p, False) for p in _listed(ctx, "/var/spool/cron/*", unreadable)
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
                    out.extend(_script(ctx, f"/etc/cron.{period}/{name}", unreadable))
        out.extend(_timers(ctx, unreadable))
        followed: set[str] = set()
        for cmd, _, _ in list(out):
            for path in _PATH.findall(cmd):
                if path not in followed and not path.startswith(SYSTEM_DIRS + KERNEL_DIRS):
                    followed.add(path)
                    out.extend(_script(ctx, path, unreadable))
        return out, unreadable

    return ctx.cached("cron", compute)


def _listed(ctx: ProbeContext, pattern: str, unreadable: list[str]) -> list[str]:
    """The tables a glob finds; a directory this assessment cannot list is noted, not empty
    (users' crontabs are 1730 root:crontab on Debian)."""
    try:
        return ctx.glob(pattern)
    except ProbeError:
        unreadable.append(pattern.rsplit("/", 1)[0])
        return []


def _script(ctx: ProbeContext, path: str, unreadable: list[str]) -> list[Job]:
    """The command lines of a shell script a job runs ([] for programs, data, large files).
    Only the script itself is read, not the scripts it calls in turn."""
    st = ctx.target.stat(path)
    if st is None or not st.is_file or st.size > MAX_SCRIPT:
        return []
    try:
        text = ctx.read_text(path) or ""
    except ProbeError:
        unreadable.append(path)
        return []
    if not text.startswith("#!") or "\0" in text:
        return []
    return [(line.strip(), path, no) for no, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


def _timers(ctx: ProbeContext, unreadable: list[str]) -> list[Job]:
    out: list[Job] = []
    seen: set[str] = set()
    enabled = wants_links(ctx)
    for d in UNIT_DIRS:
        for timer in ctx.target.list_dir(d):
            if not timer.endswith(".timer") or timer in seen or timer not in enabled:
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
        return say("engine.probe.cron_subject", pattern=params["pattern"])

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        regex = compile_pattern(params["pattern"])
        found, unreadable = jobs(ctx)
        budget = Budget("scheduled jobs")  # all jobs together: limits.REGEX_SECONDS
        values = [Value(cmd, file=f, line=line) for cmd, f, line in found
                  if budget.search(regex, cmd, f"{f}:{line}" if line else f)]
        if not values and unreadable:
            # nothing found where part of the schedule could not be read: not "no such job"
            raise ProbeError(say("engine.probe.cron_denied", paths=", ".join(unreadable)))
        note = say("engine.probe.unreadable", paths=", ".join(unreadable)) if unreadable else ""
        return Observation.of(values, note=note)
