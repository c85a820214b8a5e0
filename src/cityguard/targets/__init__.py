"""Targets: how an assessed object is reached. `open_target("local" | "dir:PATH" | …)`.

The registry maps a scheme to a Target class. `ssh` is reserved: its module
(cityguard/targets/ssh.py, a later issue) registers itself when imported, and open_target
imports it on first use, so adding it needs no change here.
"""

from __future__ import annotations

import importlib

from cityguard.core.errors import UsageError
from cityguard.core.registry import Registry
from cityguard.targets.base import (
    CommandResult,
    CommandsUnavailable,
    FileStat,
    HostFacts,
    Target,
)
from cityguard.targets.dir import DirTarget
from cityguard.targets.local import LocalTarget

TARGETS: Registry[type] = Registry("target")
TARGETS.register(LocalTarget)
TARGETS.register(DirTarget)

#: schemes whose module is imported on first use (the module registers its class in TARGETS)
LAZY_SCHEMES = {"ssh": "cityguard.targets.ssh"}


def scheme_of(spec: str) -> str:
    spec = spec.strip()
    if spec == "local":
        return "local"
    if "://" in spec:
        return spec.split("://", 1)[0].lower()
    if ":" in spec:
        return spec.split(":", 1)[0].lower()
    return spec.lower()


def open_target(spec: str, *, asset_id: str | None = None) -> Target:
    """A Target for "local", "dir:PATH" or (once its module exists) "ssh://user@host[:port]"."""
    scheme = scheme_of(spec)
    if scheme not in TARGETS and scheme in LAZY_SCHEMES:
        try:
            importlib.import_module(LAZY_SCHEMES[scheme])
        except ModuleNotFoundError:
            raise UsageError(f"target {spec!r}: {scheme} targets are not available in this "
                             "version") from None
    if scheme not in TARGETS:
        known = sorted({*TARGETS.names(), *LAZY_SCHEMES})
        raise UsageError(f"unknown target {spec!r}; use local, dir:PATH or one of: "
                         f"{', '.join(known)}")
    cls = TARGETS.get(scheme)
    return cls(spec.strip(), asset_id=asset_id)  # type: ignore[no-any-return]


__all__ = [
    "TARGETS",
    "CommandResult",
    "CommandsUnavailable",
    "DirTarget",
    "FileStat",
    "HostFacts",
    "LocalTarget",
    "Target",
    "open_target",
    "scheme_of",
]
