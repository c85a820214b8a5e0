"""What an SSH target knows of its host without asking it again.

The prefetch (targets.ssh_bundle) brings a host's files, metadata, listings and command
results in one round trip; this is where they are kept for the run, with what they imply
(a file absent from a complete listing is absent; a directory cannot be read as a file), and
the switch that lets the engine run probes inline on them (`memory_only`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from cityguard.targets.base import CommandResult, FileStat, WouldBlock
from cityguard.targets.ssh_bundle import Bundle, is_glob


class HostMemory:
    """Caches of one host for one assessment (the host is not expected to change meanwhile)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._read_cache: dict[str, bytes | BaseException] = {}
        self._stat_cache: dict[str, FileStat | None] = {}
        self._glob_cache: dict[str, list[str]] = {}
        self._list_cache: dict[str, list[str]] = {}
        self._closed_dirs: set[str] = set()  # exist, but this login cannot list them
        self._answers: dict[tuple[str, ...], CommandResult] = {}  # run by the prefetch
        self._lock_guard = threading.Lock()
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        #: what had to be read on demand, one remote command each: a fleet adds these to the
        #: next hosts' prefetch (paths to stat and read, directories to list, commands)
        self.missed_paths: set[str] = set()
        self.missed_dirs: set[str] = set()
        self.missed_commands: set[tuple[tuple[str, ...], float]] = set()

    @contextlib.contextmanager
    def memory_only(self) -> Iterator[None]:
        """Within this block, anything that would need the host raises WouldBlock: the
        engine runs probes inline on what the prefetch brought and falls back to a watched
        thread only for the rest (engine.runner._collect)."""
        self._local.memory_only = True
        try:
            yield
        finally:
            self._local.memory_only = False

    def _may_block(self) -> None:
        if getattr(self._local, "memory_only", False):
            raise WouldBlock

    def _load_bundle(self, b: Bundle, patterns: list[str], dirs: list[str]) -> int:
        self._stat_cache.update(b.stats)
        self._read_cache.update(b.contents)
        for path in b.denied:
            self._read_cache[path] = PermissionError(13, "Permission denied", path)
        for path, st in b.stats.items():  # as `head` on a directory answers
            if st.is_dir:
                self._read_cache[path] = IsADirectoryError(21, "Is a directory", path)
        for d, names in b.listings.items():
            self._list_cache[d] = names
        for d in dirs:  # not there at all: `ls` would list nothing, and nothing is inside
            if d not in b.seen_dirs and not is_glob(d):
                self._list_cache.setdefault(d, [])
        self._closed_dirs |= b.closed_dirs
        for d in b.open_dirs | b.closed_dirs:  # check_readable's question, answered already
            argv = ("test", "-r", d, "-a", "-x", d)
            code = 0 if d in b.open_dirs else 1
            self._answers[argv] = CommandResult(argv, code, "", "", False, 0.0)
        self._answers.update(b.commands)
        for pattern in patterns:
            if is_glob(pattern):
                self._glob_cache[pattern] = sorted(b.globs.get(pattern, ()))
            elif pattern in b.absent:  # (in a directory it could not search: asked later)
                self._stat_cache.setdefault(pattern, None)
                self._read_cache.setdefault(
                    pattern, FileNotFoundError(2, "No such file or directory", pattern))
        return len(b.contents)

    def _known_absent(self, path: str) -> bool:
        """True when a cached listing of the parent directory shows `path` does not exist."""
        parent, _, name = path.rstrip("/").rpartition("/")
        names = self._list_cache.get(parent or "/")
        return names is not None and name not in names

    def _key_lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._lock_guard:
            return self._key_locks.setdefault(key, threading.Lock())

    def forget(self) -> None:
        """Drop what was read from the host (a fleet keeps its targets until the end)."""
        self._read_cache.clear()
        self._glob_cache.clear()
        self._list_cache.clear()
        self._stat_cache.clear()
        self._answers.clear()


__all__ = ["HostMemory"]
