"""`apt_updates`: installed packages for which apt's package lists hold a newer version.

Reads what apt itself compares, without running apt: the installed versions in
/var/lib/dpkg/status and the candidates in /var/lib/apt/lists/*_Packages (plain, as apt keeps
them by default, or .lz4/.gz/.xz/.bz2 under `Acquire::GzipIndexes`), through the target, so
an offline image (`dir:`) or an SSH host is checked the same way. `apt-get -s upgrade` would
rebuild apt's binary cache on every run where an image disables it (seconds).

`pockets: security` (default) reads only the lists whose file name contains "security"
(`…debian-security_dists_bookworm-security_main_binary-amd64_Packages`, Ubuntu's
`…jammy-security_…`); `all` reads every list. One value per package with a newer version,
"installed → candidate". Without lists the probe is not_applicable with that reason: an
empty result would otherwise look like "nothing pending".
"""

from __future__ import annotations

import time
from typing import Any

from cityguard.core import datacache, limits
from cityguard.core.decompress import SUFFIXES, decompress
from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    cannot_read,
    denied_root,
    register,
)
from cityguard.engine.probes.package import DPKG_STATUS, dpkg_records, field, stanzas
from cityguard.engine.versions import compare_versions
from cityguard.policy.messages import joined
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

LISTS = "/var/lib/apt/lists"
#: a list as read (an uncompressed main list is ~50 MB) and what a compressed one may expand
#: to (core/decompress refuses more: a 9 MB gzip bomb would otherwise expand to gigabytes)
MAX_LIST_BYTES = limits.MAX_DECOMPRESSED
NO_LISTS = "engine.probe.apt_no_lists"

Candidate = tuple[str, str, int]  # version, list file, line of its stanza


def list_files(ctx: ProbeContext) -> tuple[list[str], list[str]]:
    """(readable Packages lists, lists in a compression cityguard cannot read), sorted."""
    readable, unreadable = [], []
    for path in ctx.glob(f"{LISTS}/*_Packages*"):
        base = path.rsplit("/", 1)[-1]
        stem, dot, suffix = base.rpartition(".")
        compressed = stem.endswith("_Packages") and dot and f".{suffix}" in SUFFIXES
        if base.endswith("_Packages") or compressed:
            readable.append(path)
        elif stem.endswith("_Packages") and suffix in ("zst", "zstd"):
            unreadable.append(path)
        # anything else (…_Packages.diff_Index, partial downloads) is not a list
    return readable, unreadable


def candidates(text: str, path: str) -> dict[tuple[str, str], Candidate]:
    """(name, architecture) → the highest version in one Packages list, with its line."""
    best: dict[tuple[str, str], Candidate] = {}
    for start, stanza in stanzas(text):
        name, version = field(stanza, "Package"), field(stanza, "Version")
        if not name or not version:
            continue
        key = (name, field(stanza, "Architecture") or "all")
        old = best.get(key)
        if old is None or compare_versions(version, old[0]) > 0:
            best[key] = (version, path, start)
    return best


@register
class AptUpdatesProbe(BaseProbe):
    name = "apt_updates"
    params = {"pockets": {"enum": ["security", "all"]}}

    def subject(self, params: dict[str, Any]) -> str:
        return f"{LISTS} ({params.get('pockets', 'security')})"

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        installed = dpkg_records(ctx)
        if installed is None:
            return Observation.na(say("engine.probe.no_dpkg", path=DPKG_STATUS))
        readable, unreadable = list_files(ctx)
        if not readable and not unreadable:
            return Observation.na(say(NO_LISTS, command="apt-get update"))
        pockets = params.get("pockets", "security")
        if pockets == "security":
            readable = [p for p in readable if "security" in p.rsplit("/", 1)[-1]]
            unreadable = [p for p in unreadable if "security" in p.rsplit("/", 1)[-1]]
            if not readable and not unreadable:
                return Observation.na(say("engine.probe.apt_no_security"))
        if not readable:
            return Observation.na(say("engine.probe.apt_compressed",
                                      suffix=unreadable[0].rsplit(".", 1)[-1]))
        wanted = {name for name, _, _, _ in installed}
        best: dict[str, dict[str, Candidate]] = {}  # name → architecture → newest
        for path in readable:
            for (name, arch), cand in self._candidates(target, path).items():
                if name not in wanted:
                    continue
                old = best.setdefault(name, {}).get(arch)
                if old is None or compare_versions(cand[0], old[0]) > 0:
                    best[name][arch] = cand
        arches: dict[str, int] = {}
        for name, _, _, _ in installed:
            arches[name] = arches.get(name, 0) + 1
        values = []
        for name, version, arch, _ in sorted(installed):
            cand = _newest(best.get(name, {}), arch)
            if cand is not None and compare_versions(cand[0], version) > 0:
                subject = f"{name}:{arch}" if arches[name] > 1 else name
                values.append(Value(f"{version} → {cand[0]}", cand[1], cand[2], subject))
        return Observation.of(values, note=self._note(ctx, installed, readable, unreadable))

    def _candidates(self, target: Target, path: str) -> dict[tuple[str, str], Candidate]:
        """The newest version per package in one list. A list changes only with apt-get
        update, while decompressing and parsing it costs ~0.1 s: the result is kept in the
        data cache, keyed by the list's path and bytes."""
        try:
            data = target.read_bytes(path, MAX_LIST_BYTES)
        except PermissionError:
            raise ProbeError(denied_root(path)) from None
        except OSError as exc:
            raise ProbeError(cannot_read(path, exc)) from None
        key = datacache.digest("apt-list", path, data)
        hit = datacache.load("apt-lists", key)
        if hit is not datacache.MISS:
            return hit  # type: ignore[no-any-return]
        if not path.endswith("_Packages"):
            try:
                data = decompress(path, data, MAX_LIST_BYTES)
            except ValueError as exc:
                raise ProbeError(f"{path}: {exc}") from None
        found = candidates(data.decode("utf-8", "replace"), path)
        datacache.store("apt-lists", key, found)
        return found

    def _note(self, ctx: ProbeContext, installed: list[Any], readable: list[str],
              unreadable: list[str]) -> str:
        stats = [s for s in (ctx.target.stat(p) for p in readable) if s is not None]
        parts = [say("engine.probe.apt_compared", installed=len(installed), lists=len(readable))]
        if stats:
            days = max(0.0, (time.time() - max(s.mtime for s in stats)) / 86400)
            parts.append(say("engine.probe.apt_age", days=f"{days:.0f}"))
        if unreadable:
            parts.append(say("engine.probe.apt_zst", n=len(unreadable)))
        return joined(parts)


def _newest(by_arch: dict[str, Candidate], arch: str) -> Candidate | None:
    """The newest version for an installed package: same architecture, or `all` either side."""
    found = list(by_arch.values()) if arch == "all" else \
        [c for c in (by_arch.get(arch), by_arch.get("all")) if c is not None]
    if not found:
        return None
    top = found[0]
    for c in found[1:]:
        if compare_versions(c[0], top[0]) > 0:
            top = c
    return top
