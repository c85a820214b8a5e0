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
from cityguard.core.yamlio import load_yaml

_SECTION = re.compile(r"^\[([^\]:]+)(?::(children|vars))?\]\s*$")


@dataclass
class InventoryHost:
    name: str
    vars: dict[str, str] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)

    @property
    def spec(self) -> str:
        host = self.vars.get("ansible_host", self.name)
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        user = self.vars.get("ansible_user") or self.vars.get("ansible_ssh_user")
        port = self.vars.get("ansible_port") or self.vars.get("ansible_ssh_port")
        return f"ssh://{user + '@' if user else ''}{host}{':' + str(port) if port else ''}"

    @property
    def identity_file(self) -> str | None:
        return self.vars.get("ansible_ssh_private_key_file")


@dataclass
class Inventory:
    hosts: dict[str, InventoryHost] = field(default_factory=dict)
    children: dict[str, set[str]] = field(default_factory=dict)
    group_vars: dict[str, dict[str, str]] = field(default_factory=dict)

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
        for group in sorted(self._ancestors(host.groups)):
            merged.update(self.group_vars.get(group, {}))
        merged.update(host.vars)
        return InventoryHost(name, merged, set(host.groups))

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
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(p, exc.strerror or "cannot read") from None
    stripped = text.lstrip()
    if stripped.startswith(("all:", "---")) or re.match(r"^[\w.-]+:\s*$", stripped.split("\n")[0]):
        return _from_yaml(p, text)
    return _from_ini(p, text)


def _kv(tokens: list[str], path: Path, line: int) -> dict[str, str]:
    out = {}
    for tok in tokens:
        if "=" not in tok:
            raise DataError(path, f"expected key=value, got {tok!r}", line=line)
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
            raise DataError(path, f"malformed section header {line!r}", line=no)
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError as exc:
            raise DataError(path, str(exc), line=no) from None
        if mode == "children":
            inv.children.setdefault(group, set()).add(tokens[0])
        elif mode == "vars":
            inv.group_vars.setdefault(group, {}).update(_kv(tokens, path, no))
        else:
            host = inv.hosts.setdefault(tokens[0], InventoryHost(tokens[0]))
            host.vars.update(_kv(tokens[1:], path, no))
            host.groups.add(group)
    return inv


def _from_yaml(path: Path, text: str) -> Inventory:
    data = load_yaml(path, text)
    if not isinstance(data, dict):
        raise DataError(path, "a YAML inventory is a mapping of groups (e.g. all:)", line=1)
    inv = Inventory()
    for name, body in data.items():
        _walk_group(inv, str(name), body, path)
    return inv


def _walk_group(inv: Inventory, group: str, body: Any, path: Path) -> None:
    if body is None:
        return
    if not isinstance(body, dict):
        raise DataError(path, f"group {group!r} must be a mapping", field=group)
    for hname, hvars in (body.get("hosts") or {}).items():
        host = inv.hosts.setdefault(str(hname), InventoryHost(str(hname)))
        host.vars.update({str(k): str(v) for k, v in (hvars or {}).items()})
        host.groups.add(group)
    inv.group_vars.setdefault(group, {}).update(
        {str(k): str(v) for k, v in (body.get("vars") or {}).items()}
    )
    for child, cbody in (body.get("children") or {}).items():
        inv.children.setdefault(group, set()).add(str(child))
        _walk_group(inv, str(child), cbody, path)
