"""`sudo_rules`: who sudo lets run which commands, from /etc/sudoers and /etc/sudoers.d.

`field: unrestricted` yields one value per principal (user, %group, User_Alias, ALL) that is
granted every command (`ALL`) as root, except root itself and groups nobody belongs to (the
Debian default `%sudo ALL=(ALL:ALL) ALL` is inert while the sudo group is empty). Values read
"%sudo (ops, li)" with file and line, so a check can ask that no administrator holds every
command: least privilege and separated roles. Files sudo skips (names with a dot or ending in
~ under sudoers.d) are skipped too.
"""

from __future__ import annotations

import re
from typing import Any

from cityguard.engine.probes.base import BaseProbe, Observation, ProbeContext, Value, register
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

SUDOERS = "/etc/sudoers"
SUDOERS_D = "/etc/sudoers.d"
_KEYWORDS = ("Defaults", "Cmnd_Alias", "User_Alias", "Host_Alias", "Runas_Alias")
#: users end on a non-blank and hosts hold no "=": with `[^=]+?\s+\S+` a long run of blanks
#: was tried in n² ways (linear now: tests/security/test_regex_time.py)
_SPEC = re.compile(r"^(?P<users>[^=]*?\S)\s+(?P<hosts>[^\s=]+)\s*=\s*(?P<rest>.+)$")
#: a runas list "(…)", or one command (with its tags) up to the next comma or parenthesis
_TOKEN = re.compile(r"\(([^)]*)\)|([^,()]+)")
_TAGS = re.compile(r"^(?:[A-Z_]+:\s*)+")


def _lines(text: str) -> list[tuple[int, str]]:
    """Logical lines (backslash continuations joined) with the number of their first line."""
    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0] if not raw.lstrip().startswith(("#include", "@include")) \
            else ""
        if not buf:
            start = no
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        if buf.strip():
            out.append((start, buf.strip()))
        buf = ""
    return out


def _files(ctx: ProbeContext) -> list[str]:
    names = [n for n in ctx.target.list_dir(SUDOERS_D) if "." not in n and not n.endswith("~")]
    return [SUDOERS] + [f"{SUDOERS_D}/{n}" for n in sorted(names)]


def _members(ctx: ProbeContext) -> dict[str, list[str]]:
    """group name → user names (secondary members, and users whose primary group it is)."""

    def compute() -> dict[str, list[str]]:
        gids: dict[str, str] = {}
        out: dict[str, list[str]] = {}
        for line in (ctx.read_text("/etc/group") or "").splitlines():
            f = line.split(":")
            if len(f) >= 4:
                gids[f[2]] = f[0]
                out[f[0]] = [u for u in f[3].split(",") if u]
        for line in (ctx.read_text("/etc/passwd") or "").splitlines():
            f = line.split(":")
            if len(f) >= 4 and f[3] in gids and f[0] not in out[gids[f[3]]]:
                out[gids[f[3]]].append(f[0])
        return out

    return ctx.cached("group-members", compute)


def _all_commands(rest: str) -> bool:
    """Whether a rule's command part grants ALL as root: a runas list in parentheses (absent,
    or naming root or ALL) applies to the commands after it; tags (NOPASSWD:) are skipped."""
    as_root = True
    for runas, cmd in _TOKEN.findall(rest):
        if not cmd:  # a runas list, "(…)"
            users = runas.split(":")[0].replace(" ", "").split(",")
            as_root = users == [""] or bool({"ALL", "root", "#0"} & set(users))
        elif _TAGS.sub("", cmd.strip()) == "ALL" and as_root:
            return True
    return False


@register
class SudoRulesProbe(BaseProbe):
    name = "sudo_rules"
    params = {"field": {"enum": ["unrestricted"]}}
    required = ("field",)

    def subject(self, params: dict[str, Any]) -> str:
        return "sudo rules granting every command"

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        if target.stat(SUDOERS) is None:
            return Observation.na(say("engine.probe.absent", path=SUDOERS))
        members = _members(ctx)
        values: list[Value] = []
        for path in _files(ctx):
            for no, line in _lines(ctx.read_text(path) or ""):
                if line.startswith(_KEYWORDS):
                    continue
                m = _SPEC.match(line)
                if not m or not _all_commands(m.group("rest")):
                    continue
                for who in (u.strip() for u in m.group("users").split(",")):
                    if who in ("root", "#0") or not who:
                        continue
                    if who.startswith("%"):
                        group = who.lstrip("%:")
                        users = members.get(group, [])
                        if not users:
                            continue  # an empty group grants nobody anything
                        who = f"{who} ({', '.join(users)})"
                    values.append(Value(who, file=path, line=no, subject=who.split(" ")[0]))
        return Observation.of(values)
