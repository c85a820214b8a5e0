"""Ansible inventories (INI or YAML) as lists of SSH targets: `--inventory FILE [--limit GROUP]`.

Understood: groups, `[group:children]`, `[group:vars]`, host ranges are NOT expanded (they are
rare on these networks and ambiguous); per-host `ansible_host`, `ansible_port`, `ansible_user`
and `ansible_ssh_private_key_file`; the YAML form's `all: {hosts, children, vars}` tree.
Variables are inherited from groups to hosts, the host's own winning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityguard.core.errors import DataError, UsageError
from cityguard.core.yamlio import line_of, load_yaml, read_yaml_text
from cityguard.system.devicetypes import family_of, unknown_device_type
from cityguard.system.sshspec import host_problem, port_problem, user_problem

_SECTION = re.compile(r"^\[([^\]:]+)(?::(children|vars))?\]\s*$")


#: where a variable was set: a line (INI) or the key path of its node (YAML, line found on error)
Where = int | tuple[str, ...]
_HOST_VARS = ("ansible_host", "ansible_ssh_host")
_USER_VARS = ("ansible_user", "ansible_ssh_user")
_PORT_VARS = ("ansible_port", "ansible_ssh_port")


@dataclass
class InventoryHost:
    name: str
    vars: dict[str, str] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)
    where: dict[str, Where] = field(default_factory=dict)  # variable ("" = the host) → place

    def _var(self, names: tuple[str, ...]) -> tuple[str, str | None]:
        """(variable name, value) of the first of `names` that is set."""
        for n in names:
            if self.vars.get(n):
                return n, self.vars[n]
        return names[0], None

    @property
    def spec(self) -> str:
        host = self._var(_HOST_VARS)[1] or self.name
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        user = self._var(_USER_VARS)[1]
        port = self._var(_PORT_VARS)[1]
        return f"ssh://{user + '@' if user else ''}{host}{':' + str(port) if port else ''}"

    @property
    def identity_file(self) -> str | None:
        return self.vars.get("ansible_ssh_private_key_file")

    @property
    def device_type(self) -> str | None:
        """`ansible_network_os` (cisco.ios.ios, huawei …): the host is a network device."""
        return self.vars.get("ansible_network_os") or None

    def problem(self) -> tuple[str, str, str] | None:
        """(variable, where-key, problem) of the first bad connection value, or None.

        Host, user and port reach the ssh command line: they are checked as strictly as a
        `--target` (system.sshspec), so `ansible_host=-oProxyCommand=…` is refused here; an
        `ansible_network_os` no device family answers to is refused here too.
        """
        var, host = self._var(_HOST_VARS)
        checks = [(var if host else "", host or self.name, host_problem)]
        var, user = self._var(_USER_VARS)
        if user is not None:
            checks.append((var, user, user_problem))
        var, port = self._var(_PORT_VARS)
        if port is not None:
            checks.append((var, port, port_problem))
        if self.device_type is not None:  # refused here, with its line, not when connecting
            checks.append(("ansible_network_os", self.device_type, _device_type_problem))
        for name, value, check in checks:
            if found := check(value):
                return name or "host", name, found
        return None


def _device_type_problem(name: str) -> str | None:
    return None if family_of(str(name)) else unknown_device_type(str(name))


@dataclass
class Inventory:
    hosts: dict[str, InventoryHost] = field(default_factory=dict)
    children: dict[str, set[str]] = field(default_factory=dict)
    group_vars: dict[str, dict[str, str]] = field(default_factory=dict)
    group_where: dict[str, dict[str, Where]] = field(default_factory=dict)
    path: Path | None = None
    text: str = ""

    def groups(self) -> set[str]:
        names = set(self.children) | set(self.group_vars)
        for h in self.hosts.values():
            names |= h.groups
        return names

    def _members(self, group: str, seen: set[str]) -> set[str]:
        if group in seen:
            return set()
        seen.add(group)
        out = {n for n, h in self.hosts.items() if group in h.groups}
        for child in self.children.get(group, ()):
            out |= self._members(child, seen)
        return out

    def select(self, limit: str | None = None) -> list[InventoryHost]:
        """Hosts in group(s) `limit` (comma-separated groups or host names), or all."""
        if not limit or limit == "all":
            names = set(self.hosts)
        else:
            names = set()
            for part in (p.strip() for p in limit.split(",")):
                if part in self.hosts:
                    names.add(part)
                elif part in self.groups():
                    names |= self._members(part, set())
                else:
                    raise UsageError(
                        f"--limit {part!r} is neither a group nor a host of the inventory "
                        f"(groups: {', '.join(sorted(self.groups())) or 'none'})"
                    )
        return [self._resolved(n) for n in sorted(names)]

    def _resolved(self, name: str) -> InventoryHost:
        host = self.hosts[name]
        merged: dict[str, str] = dict(self.group_vars.get("all", {}))
        where: dict[str, Where] = dict(self.group_where.get("all", {}))
        for group in sorted(self._ancestors(host.groups)):
            merged.update(self.group_vars.get(group, {}))
            where.update(self.group_where.get(group, {}))
        merged.update(host.vars)
        where.update(host.where)
        return InventoryHost(name, merged, set(host.groups), where)

    def check(self) -> None:
        """DataError (file, line, host and variable) for the first host ssh must not see.

        A bad host name is not repeated in the message (the line says where it is): a file
        given as an inventory by mistake may be any file, and its first word a secret.
        """
        for name in self.hosts:  # in the file's order: the first problem is the first line
            host = self._resolved(name)
            found = host.problem()
            if found is not None:
                field_, key, problem = found
                named = name if host_problem(name) is None else "host"
                raise DataError(self.path, problem, line=self._line(host.where.get(key)),
                                field=f"{named}.{field_}" if key else None)

    def _line(self, where: Where | None) -> int | None:
        if where is None or isinstance(where, int):
            return where
        return line_of(self.path or "", list(where), self.text)

    def _ancestors(self, groups: set[str]) -> set[str]:
        out = set(groups)
        changed = True
        while changed:
            changed = False
            for parent, kids in self.children.items():
                if parent not in out and kids & out:
                    out.add(parent)
                    changed = True
        return out


def load_inventory(path: str | Path) -> Inventory:
    """Read an INI or YAML inventory; DataError (file and line) for anything ssh must not see."""
    p = Path(path)
    text = read_yaml_text(p)  # the YAML bounds hold for the INI form too
    stripped = text.lstrip()
    if stripped.startswith(("all:", "---")) or re.match(r"^[\w.-]+:\s*$", stripped.split("\n")[0]):
        inv = _from_yaml(p, text)
    else:
        inv = _from_ini(p, text)
    inv.path, inv.text = p, text
    inv.check()
    return inv


def _kv(tokens: list[str], path: Path, line: int) -> dict[str, str]:
    out = {}
    for tok in tokens:
        if "=" not in tok:  # the word itself is not quoted: the file may be any file
            raise DataError(path, "expected key=value pairs (a word without '=')", line=line)
        k, _, v = tok.partition("=")
        out[k] = v.strip("\"'")
    return out


def _from_ini(path: Path, text: str) -> Inventory:
    import shlex

    inv = Inventory()
    group, mode = "ungrouped", "hosts"
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        m = _SECTION.match(line)
        if m:
            group, mode = m.group(1), m.group(2) or "hosts"
            continue
        if line.startswith("["):
            raise DataError(path, "malformed section header (expected [group], "
                                  "[group:children] or [group:vars])", line=no)
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError as exc:
            raise DataError(path, str(exc), line=no) from None
        if not tokens:
            continue
        if mode == "children":
            inv.children.setdefault(group, set()).add(tokens[0])
        elif mode == "vars":
            kv = _kv(tokens, path, no)
            inv.group_vars.setdefault(group, {}).update(kv)
            inv.group_where.setdefault(group, {}).update(dict.fromkeys(kv, no))
        else:
            host = inv.hosts.setdefault(tokens[0], InventoryHost(tokens[0]))
            kv = _kv(tokens[1:], path, no)
            host.vars.update(kv)
            host.where.update({"": host.where.get("", no), **dict.fromkeys(kv, no)})
            host.groups.add(group)
    return inv


def _from_yaml(path: Path, text: str) -> Inventory:
    data = load_yaml(path, text)
    if not isinstance(data, dict):
        raise DataError(path, "a YAML inventory is a mapping of groups (e.g. all:)",
                        line=line_of(path, [], text) or 1)
    inv = Inventory()
    for name, body in data.items():
        _walk_group(inv, str(name), body, path, text, (str(name),))
    return inv


def _mapping(value: Any, what: str, path: Path, text: str, loc: tuple[str, ...]
             ) -> dict[Any, Any]:
    """`value` as a mapping (None: empty); DataError with file and line for anything else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DataError(path, f"{what} must be a mapping, not {_kind(value)}",
                        line=line_of(path, list(loc), text), field=".".join(loc))
    return value


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number",
            bool: "true/false"}.get(type(value), type(value).__name__)


def _vars(raw: dict[Any, Any], path: Path, text: str, loc: tuple[str, ...]
          ) -> tuple[dict[str, str], dict[str, Where]]:
    values: dict[str, str] = {}
    where: dict[str, Where] = {}
    for k, v in raw.items():
        key = str(k)
        if key in (*_HOST_VARS, *_USER_VARS, *_PORT_VARS) and isinstance(v, (dict, list)):
            raise DataError(path, f"{key} must be a single value, not {_kind(v)}",
                            line=line_of(path, [*loc, key], text), field=".".join((*loc, key)))
        values[key] = "" if v is None else str(v)
        where[key] = (*loc, key)
    return values, where


def _walk_group(inv: Inventory, group: str, body: Any, path: Path, text: str,
                loc: tuple[str, ...]) -> None:
    body = _mapping(body, f"group {group!r}", path, text, loc)
    hosts = _mapping(body.get("hosts"), f"hosts of group {group!r}", path, text, (*loc, "hosts"))
    for hname, hvars in hosts.items():
        hloc = (*loc, "hosts", str(hname))
        host = inv.hosts.setdefault(str(hname), InventoryHost(str(hname)))
        values, where = _vars(_mapping(hvars, f"host {hname!r}", path, text, hloc), path, text,
                              hloc)
        host.vars.update(values)
        host.where.update({"": host.where.get("", hloc), **where})
        host.groups.add(group)
    vloc = (*loc, "vars")
    values, where = _vars(_mapping(body.get("vars"), f"vars of group {group!r}", path, text, vloc),
                          path, text, vloc)
    inv.group_vars.setdefault(group, {}).update(values)
    inv.group_where.setdefault(group, {}).update(where)
    children = _mapping(body.get("children"), f"children of group {group!r}", path, text,
                        (*loc, "children"))
    for child, cbody in children.items():
        inv.children.setdefault(group, set()).add(str(child))
        _walk_group(inv, str(child), cbody, path, text, (*loc, "children", str(child)))
