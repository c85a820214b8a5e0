"""What an SSH target knows of its host without asking it again.

The prefetch (targets.ssh_bundle) brings a host's files, metadata, listings and command
results in one round trip; this is where they are kept for the run, with what they imply
(a file absent from a complete listing is absent; a directory cannot be read as a file), and
the switch that lets the engine run probes inline on them (`memory_only`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from cityguard.targets.base import CommandResult, FileStat, WouldBlock
from cityguard.targets.ssh_bundle import Bundle, is_glob
from cityguard.targets.ssh_memo import EvaluationMemo, Frame, Read, same_answer

T = TypeVar("T")


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
        #: the fleet's shared outcomes (targets.ssh_memo); None: every check is evaluated
        self.memo: EvaluationMemo | None = None
        #: (method, arguments, id of a kept answer) → whether this host answers the same: a
        #: file read by thirty checks is compared once (kept answers live as long as the memo)
        self._compared: dict[tuple[Any, ...], bool] = {}

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

    # -- traces: what an evaluation read, for the fleet's memo (targets.ssh_memo) -----------

    def _traced(self, method: str, args: tuple[Any, ...], read: Callable[[], T]) -> T:
        """read(), its answer written to the evaluation under way on this thread, if any."""
        frames: list[Frame] | None = getattr(self._local, "frames", None)
        if not frames:
            return read()
        try:
            answer = read()
        except WouldBlock:  # the probe goes on in another thread, out of this trace's sight
            for frame in frames:
                frame.complete = False
            raise
        except Exception as exc:
            frames[-1].reads.append((method, args, True, exc))
            raise
        frames[-1].reads.append((method, args, False, _frozen(answer)))
        return answer

    def _push(self) -> Frame:
        frames = getattr(self._local, "frames", None)
        if frames is None:
            frames = self._local.frames = []
        frames.append(Frame())
        return frames[-1]

    def _pop(self) -> None:
        self._local.frames.pop()

    def evaluation(self, key: Any, compute: Callable[[], T], reusable: Callable[[T], bool]) -> T:
        """compute()'s outcome, or the outcome an earlier host of the fleet got from exactly
        the answers this host gives (key: the check and what it depends on besides reads)."""
        memo = self.memo
        if memo is None:
            return compute()
        found, outcome = memo.lookup(key, self._answers_same)
        if found:
            return outcome  # type: ignore[no-any-return]
        frame = self._push()
        try:
            outcome = compute()
        finally:
            self._pop()
        if frame.complete and reusable(outcome):
            memo.keep(key, tuple(frame.reads), outcome)
        return outcome

    def traced(self, compute: Callable[[], T]) -> tuple[T, tuple[Read, ...] | None]:
        """compute() and the reads it made (None: not all seen), for a value a host computes
        once and its checks share (engine.runner._TracedContext)."""
        frame = self._push()
        try:
            value = compute()
        except BaseException:  # what it read still counts for the evaluation that asked
            self._pop()
            self.replay(tuple(frame.reads) if frame.complete else None)
            raise
        self._pop()
        return value, tuple(frame.reads) if frame.complete else None

    def replay(self, reads: tuple[Read, ...] | None) -> None:
        """Count reads made earlier (behind a shared value) in the evaluation under way."""
        frames: list[Frame] | None = getattr(self._local, "frames", None)
        if not frames:
            return
        if reads is None:
            for frame in frames:
                frame.complete = False
        else:
            frames[-1].reads.extend(reads)

    def _answers_same(self, reads: tuple[Read, ...]) -> bool:
        """Whether this host, from memory alone, answers every read as `reads` records."""
        saved = (getattr(self._local, "memory_only", False), getattr(self._local, "frames", None))
        self._local.memory_only, self._local.frames = True, None
        try:
            for method, args, raised, answer in reads:
                key = (method, args, id(answer))
                same = self._compared.get(key)
                if same is None:
                    same = self._compared[key] = self._answers_alike(method, args, raised, answer)
                if not same:
                    return False
            return True
        finally:
            self._local.memory_only, self._local.frames = saved

    def _answers_alike(self, method: str, args: tuple[Any, ...], raised: bool,
                       answer: Any) -> bool:
        try:
            mine = getattr(self, method)(*args)
        except WouldBlock:
            return False
        except Exception as exc:
            return raised and same_answer(exc, answer)
        return not raised and same_answer(_frozen(mine), answer)

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
        self._compared.clear()


def _frozen(answer: Any) -> Any:
    """A listing as a tuple: a probe may sort or extend the list it was given."""
    return tuple(answer) if isinstance(answer, list) else answer


__all__ = ["HostMemory"]
