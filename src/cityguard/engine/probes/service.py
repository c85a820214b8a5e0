"""`service`: a systemd unit present, enabled (from unit symlinks) or active (systemctl)."""

from __future__ import annotations

from typing import Any

from cityguard.engine.probes.base import BaseProbe, Observation, ProbeContext, Value, register
from cityguard.engine.probes.command import run_or_na
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system",
             "/lib/systemd/system")
_NAME = {"type": "string", "pattern": "^[A-Za-z0-9@._:-]+$"}
_ACTIVE = ("active", "reloading", "activating", "refreshing")
_INACTIVE = ("inactive", "failed", "deactivating", "dead", "unknown", "maintenance")


def unit_name(name: str) -> str:
    return name if "." in name else f"{name}.service"


def _masked(target: Target, unit: str) -> bool:
    """A unit linked to /dev/null: listed in /etc/systemd/system but not a regular file."""
    if unit not in target.list_dir("/etc/systemd/system"):
        return False
    st = target.stat(f"/etc/systemd/system/{unit}")
    return st is None or not st.is_file


def wants_links(ctx: ProbeContext) -> set[str]:
    """Unit names that some target/unit wants or requires (i.e. enabled or statically pulled)."""

    def compute() -> set[str]:
        out: set[str] = set()
        for d in UNIT_DIRS:
            for sub in ctx.target.list_dir(d):
                if sub.endswith((".wants", ".requires")):
                    out.update(ctx.target.list_dir(f"{d}/{sub}"))
        return out

    return ctx.cached("systemd-wants", compute)


def init_state_known(ctx: ProbeContext) -> bool:
    """Whether the target shows any service manager state: a tree of configuration files
    copied without /etc/systemd, /lib/systemd or /etc/init.d says nothing about services, and
    "not enabled" there would be a guess."""

    def compute() -> bool:
        return any(ctx.target.list_dir(d) for d in (*UNIT_DIRS, "/etc/init.d"))

    return ctx.cached("init-state-known", compute)


UNKNOWN = "engine.probe.no_service_manager"


def present(target: Target, unit: str, name: str) -> bool:
    if any(unit in target.list_dir(d) for d in UNIT_DIRS):
        return True
    return unit.endswith(".service") and target.stat(f"/etc/init.d/{name}") is not None


def enabled(ctx: ProbeContext, unit: str, name: str) -> bool:
    target = ctx.target
    if _masked(target, unit):
        return False
    if unit in wants_links(ctx):
        return True
    # an alias symlink (sshd.service → ssh.service) exists only while the unit is enabled
    st = target.stat(f"/etc/systemd/system/{unit}")
    if st is not None and st.is_link:
        return True
    for rc in ("/etc/rc2.d", "/etc/rc3.d", "/etc/rc5.d"):  # SysV init scripts
        if any(e.startswith("S") and e[3:] == name for e in target.list_dir(rc)):
            return True
    return False


@register
class ServiceProbe(BaseProbe):
    name = "service"
    params = {
        "name": {"anyOf": [_NAME, {"type": "array", "items": _NAME, "minItems": 1}]},
        "property": {"enum": ["enabled", "active", "present"]},
    }
    required = ("name",)

    def timeout(self, params: dict[str, Any], default: float) -> float:
        return max(default, 15.0)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        names = params["name"] if isinstance(params["name"], list) else [params["name"]]
        prop = params.get("property", "enabled")
        if prop != "active" and not target.can_run_commands and not init_state_known(ctx):
            return Observation.na(say(UNKNOWN))
        values = []
        for name in names:
            unit = unit_name(name)
            base = unit.rsplit(".", 1)[0]
            if prop == "present":
                values.append(Value(present(target, unit, base), subject=unit))
            elif prop == "enabled":
                values.append(Value(enabled(ctx, unit, base), subject=unit))
            else:
                if not target.can_run_commands:
                    return Observation.na(say("engine.probe.dir_no_commands"))
                # `--`: a unit name may start with '-' (-.mount), never read as an option
                res = run_or_na(target, ["systemctl", "is-active", "--", unit], 10.0)
                if isinstance(res, Observation):
                    return res
                state = (res.stdout.strip().splitlines() or [""])[0]
                if state in _ACTIVE:
                    values.append(Value(True, subject=unit))
                elif state in _INACTIVE:
                    values.append(Value(False, subject=unit))
                else:
                    reason = (res.stderr.strip() or state or "no answer").splitlines()[0]
                    return Observation.na(say("engine.probe.no_systemd", reason=reason))
        return Observation.of(values)
