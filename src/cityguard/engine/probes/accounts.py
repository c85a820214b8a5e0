"""`accounts`: local accounts from /etc/passwd and /etc/shadow. Never yields a hash.

Password-ageing fields come from shadow(5): an empty field yields None ("not set"), which
numeric expectations treat as a failure with that reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    Value,
    register,
)
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

#: login_usable: a login shell and a password that opens it (set or empty, not locked): an
#: account nobody can log in to with a password (locked, or no shell) yields false
FIELDS = ("name", "uid", "empty_password", "locked", "max_days", "min_days", "warn_days",
          "inactive", "shell", "last_change_days", "login_usable")
SHADOW_FIELDS = ("locked", "max_days", "min_days", "warn_days", "inactive", "last_change_days")
#: password: the human accounts that log in with a password (set, not locked or empty): the
#: ones a password lifetime applies to (a locked root has no password to age)
FILTERS = ("uid0", "human", "password", "system", "all")
NO_LOGIN_SHELLS = ("nologin", "false", "sync", "shutdown", "halt")


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    shell: str
    passwd_pw: str  # only ever compared with "" / "x"; never reported
    line: int


@dataclass(frozen=True)
class Shadow:
    pw_state: str  # "empty" | "locked" | "set" (the hash itself is dropped here)
    last_change: int | None
    min_days: int | None
    max_days: int | None
    warn_days: int | None
    inactive: int | None
    line: int


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else None


def read_passwd(ctx: ProbeContext) -> list[Account]:
    def compute() -> list[Account]:
        out = []
        for no, line in enumerate((ctx.read_text("/etc/passwd") or "").splitlines(), 1):
            f = line.split(":")
            if len(f) < 7 or not f[2].strip().isdigit() or line.startswith(("#", "+", "-")):
                continue
            out.append(Account(f[0], int(f[2]), f[6].strip(), f[1], no))
        return out

    return ctx.cached("passwd", compute)


def read_shadow(ctx: ProbeContext) -> dict[str, Shadow] | None:
    def compute() -> dict[str, Shadow] | None:
        text = ctx.read_text("/etc/shadow")
        if text is None:
            return None
        out = {}
        for no, line in enumerate(text.splitlines(), 1):
            f = line.split(":")
            if len(f) < 8:
                continue
            pw = f[1]
            state = "empty" if pw == "" else "locked" if pw.startswith(("!", "*")) else "set"
            out[f[0]] = Shadow(state, _int(f[2]), _int(f[3]), _int(f[4]), _int(f[5]),
                               _int(f[6]), no)
        return out

    return ctx.cached("shadow", compute)


def uid_min(ctx: ProbeContext) -> int:
    for line in (ctx.read_text("/etc/login.defs") or "").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "UID_MIN" and parts[1].isdigit():
            return int(parts[1])
    return 1000


def _selected(acct: Account, flt: str, first_uid: int) -> bool:
    login = acct.shell.rsplit("/", 1)[-1] not in NO_LOGIN_SHELLS and acct.shell != ""
    if flt == "uid0":
        return acct.uid == 0
    if flt in ("human", "password"):
        return login and (acct.uid == 0 or (acct.uid >= first_uid and acct.uid != 65534))
    if flt == "system":
        return acct.uid != 0 and (acct.uid < first_uid or acct.uid == 65534)
    return True


@register
class AccountsProbe(BaseProbe):
    name = "accounts"
    params = {"field": {"enum": list(FIELDS)}, "filter": {"enum": list(FILTERS)}}
    required = ("field",)

    def subject(self, params: dict[str, Any]) -> str:
        return say("engine.probe.accounts_subject", filter=params.get("filter", "all"),
                   field=params["field"])

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        field = params["field"]
        accounts = read_passwd(ctx)
        if not accounts:
            return Observation.of([], note=say("engine.probe.absent_or_empty", path="/etc/passwd"))
        flt = params.get("filter", "all")
        first_uid = uid_min(ctx) if flt in ("human", "password", "system") else 1000
        chosen = [a for a in accounts if _selected(a, flt, first_uid)]
        shadow: dict[str, Shadow] | None = None
        if flt == "password":
            shadow = read_shadow(ctx)
            if shadow is None:
                return Observation.of([], note=say("engine.probe.absent", path="/etc/shadow"))
            chosen = [a for a in chosen if a.name in shadow and shadow[a.name].pw_state == "set"]
        if shadow is None and (field in SHADOW_FIELDS or field in ("empty_password",
                                                                   "login_usable")):
            # an unreadable shadow file is an error for every field that needs it: read
            # without it, "x" in passwd would look like "a password is set"
            shadow = read_shadow(ctx)
            if shadow is None and field in SHADOW_FIELDS:
                return Observation.of([], note=say("engine.probe.absent", path="/etc/shadow"))
        today = int(time.time() // 86400)
        values = []
        for a in chosen:
            sh = (shadow or {}).get(a.name)
            where = ("/etc/shadow", sh.line) if sh else ("/etc/passwd", a.line)
            if field in SHADOW_FIELDS and sh is None:
                values.append(Value(None, *where, subject=a.name))
                continue
            values.append(Value(_field(field, a, sh, today), *where, subject=a.name))
        return Observation.of(values)


def _field(field: str, a: Account, sh: Shadow | None, today: int) -> Any:
    if field == "name":
        return a.name
    if field == "uid":
        return a.uid
    if field == "shell":
        return a.shell
    if field == "empty_password":
        if sh is not None and a.passwd_pw in ("x", "*", "!"):
            return sh.pw_state == "empty"
        return a.passwd_pw == ""
    if field == "login_usable":
        shell = a.shell.rsplit("/", 1)[-1]
        if not a.shell or shell in NO_LOGIN_SHELLS:
            return False
        if sh is not None and a.passwd_pw in ("x", "*", "!"):
            return sh.pw_state != "locked"
        return not a.passwd_pw.startswith(("*", "!"))
    assert sh is not None
    if field == "locked":
        return sh.pw_state == "locked"
    if field == "last_change_days":
        return None if not sh.last_change else today - sh.last_change
    return getattr(sh, field)
