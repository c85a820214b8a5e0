"""`dir:PATH`: a directory treated as the root of a host (a copied /etc, a repository of configs).

Every host path is resolved *inside* PATH the way a chroot would: `..` stops at the root and
symlinks, absolute or relative, are followed relative to PATH. A tree can therefore never make
cityguard read files of the machine it runs on. Commands are not available: probes that need
them report not_applicable.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat as _stat
from pathlib import Path
from typing import ClassVar

from cityguard.core.errors import FileTooLarge, TargetError
from cityguard.core.limits import MAX_TARGET_FILE
from cityguard.targets.base import CommandResult, CommandsUnavailable, FileStat, HostFacts
from cityguard.targets.local import read_limited, stat_to_filestat
from cityguard.targets.osrelease import facts_from_files

_MAX_LINKS = 40
NO_COMMANDS = "dir: target runs no commands"


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def _magic(component: str) -> bool:
    return any(c in component for c in "*?[")


class DirTarget:
    name: ClassVar[str] = "dir"
    kind: ClassVar[str] = "dir"
    can_run_commands = False

    def __init__(self, spec: str, asset_id: str | None = None) -> None:
        self.spec = spec
        raw = spec[4:] if spec.startswith("dir:") else spec
        if not raw:
            raise TargetError("dir: target needs a path, e.g. dir:/srv/host-root")
        root = Path(raw).expanduser()
        if not root.is_dir():
            raise TargetError(f"dir: target {raw} is not a directory")
        if not os.access(root, os.R_OK | os.X_OK):
            raise TargetError(f"dir: target {raw} is not readable")
        self.root = str(root.resolve())
        self.asset_id = asset_id or root.resolve().name or "root"
        self._facts: HostFacts | None = None
        self._ids: tuple[dict[int, str], dict[int, str]] | None = None

    # -- path resolution -----------------------------------------------------------------------

    def resolve(self, path: str) -> tuple[str, bool]:
        """The real path inside the root for a host path, and whether its last step was a link."""
        raw = _parts(path)
        # (component, is the last component of the path as asked): a link met there makes
        # the path itself a symlink; components from a link's target never do
        parts = [(c, i == len(raw) - 1) for i, c in enumerate(raw)]
        done: list[str] = []
        hops = 0
        last_link = False
        while parts:
            comp, is_last = parts.pop(0)
            if comp == "..":
                if done:
                    done.pop()
                continue
            candidate = os.path.join(self.root, *done, comp)
            try:
                st = os.lstat(candidate)
            except OSError:
                done.append(comp)  # absent: nothing below it can be a link
                continue
            if _stat.S_ISLNK(st.st_mode):
                hops += 1
                if hops > _MAX_LINKS:
                    raise OSError(errno.ELOOP, "too many levels of symbolic links", path)
                link = os.readlink(candidate)
                if link.startswith("/"):
                    done = []
                last_link = last_link or is_last
                parts = [(c, False) for c in _parts(link)] + parts
                continue
            done.append(comp)
        return os.path.join(self.root, *done), last_link

    def _real(self, path: str) -> str:
        return self.resolve(path)[0]

    # -- Target protocol ----------------------------------------------------------------------

    def read_bytes(self, path: str, max_bytes: int = MAX_TARGET_FILE) -> bytes:
        real = self._real(path)
        st = os.stat(real)
        if _stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        if not _stat.S_ISREG(st.st_mode):
            raise OSError(f"not a regular file: {path}")
        if st.st_size > max_bytes:  # an error result with the reason, never a judged prefix
            raise FileTooLarge(path, max_bytes, st.st_size)
        with open(real, "rb") as fh:
            return read_limited(fh, max_bytes, path)

    def stat(self, path: str) -> FileStat | None:
        try:
            real, was_link = self.resolve(path)
            st = os.stat(real)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if self._ids is None:
            self._ids = self._names()
        return stat_to_filestat("/" + "/".join(_parts(path)), st, was_link, *self._ids)

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self._real(path)))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def glob(self, pattern: str) -> list[str]:
        found: set[str] = set()
        seen_dirs: set[str] = set()

        def is_dir(prefix: list[str]) -> bool:
            try:
                return os.path.isdir(self._real("/" + "/".join(prefix)))
            except OSError:
                return False

        def walk(prefix: list[str], rest: list[str]) -> None:
            if not rest:
                host = "/" + "/".join(prefix)
                if os.path.lexists(self._real(host)):
                    found.add(host)
                return
            comp, tail = rest[0], rest[1:]
            here = "/" + "/".join(prefix)
            if comp == "**":
                real = self._real(here)
                if real in seen_dirs:  # a symlink loop
                    return
                seen_dirs.add(real)
                walk(prefix, tail)
                for name in self.list_dir(here):
                    if not name.startswith(".") and is_dir([*prefix, name]):
                        walk([*prefix, name], rest)
                return
            if not _magic(comp):
                walk([*prefix, comp], tail)
                return
            for name in self.list_dir(here):
                if name.startswith(".") and not comp.startswith("."):
                    continue
                if fnmatch.fnmatchcase(name, comp):
                    walk([*prefix, name], tail)

        walk([], _parts(pattern))
        return sorted(found)

    def run(self, argv: list[str], timeout: float) -> CommandResult:
        raise CommandsUnavailable(NO_COMMANDS)

    def facts(self) -> HostFacts:
        if self._facts is None:
            hostname = (self._read_text("/etc/hostname") or "").strip()
            self._facts = facts_from_files(self._read_text, hostname, False)
        return self._facts

    def close(self) -> None:
        return None

    # -- helpers ------------------------------------------------------------------------------

    def _read_text(self, path: str) -> str | None:
        try:
            return self.read_bytes(path, 1024 * 1024).decode("utf-8", "replace")
        except OSError:
            return None

    def _names(self) -> tuple[dict[int, str], dict[int, str]]:
        """uid/gid names from the tree's own passwd and group files (not this machine's)."""
        maps: list[dict[int, str]] = []
        for f in ("/etc/passwd", "/etc/group"):
            names: dict[int, str] = {}
            for line in (self._read_text(f) or "").splitlines():
                fields = line.split(":")
                if len(fields) >= 3 and fields[2].isdigit():
                    names.setdefault(int(fields[2]), fields[0])
            maps.append(names)
        if not maps[0]:
            maps[0] = {0: "root"}
        if not maps[1]:
            maps[1] = {0: "root"}
        return maps[0], maps[1]
