"""Check results shared by the hosts of a fleet that gave the same answers (issue 25).

Hosts of one fleet are mostly clones: twenty web servers built from one image answer the
check library's reads with the same bytes. Evaluating a check again on such a host (parse
sshd_config, match patterns, compare 1,000 packages against the apt lists) only repeats work.

While a host evaluates a check, every answer its target gives (a file's bytes or the error
reading it, a stat, a listing, a glob, a command's output) is written to a trace, in order. The
check's outcome is kept with that trace, under the check and the host's facts. On the next
host the trace is replayed against that host's own memory: when every answer is equal, the
probes would take the same path through the same data, so the outcome is the same; when one
answer differs by one byte (or is not in memory), the check is evaluated on that host's own
data. The key is never a host name, only exactly what a probe read.

Values computed once per host and shared by its checks (ProbeContext.cached: the parsed passwd,
the dpkg database) carry the trace they were computed from, so a check that takes one from the
cache is keyed on the reads behind it too (engine.runner._TracedContext).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: outcomes kept per check and facts: a fleet of clones needs one, a mixed fleet a few; beyond
#: that, replaying every kept trace would cost more than evaluating the check
MAX_VARIANTS = 8

Read = tuple[str, tuple[Any, ...], bool, Any]  # (method, arguments, raised?, answer)


@dataclass
class Frame:
    """The reads of one evaluation; `complete` is False when part of it ran out of sight
    (on another thread, after WouldBlock), so it must not be reused."""

    reads: list[Read] = field(default_factory=list)
    complete: bool = True


@dataclass
class EvaluationMemo:
    """Outcomes by (check, facts …) key, each with the reads it was computed from. One per
    fleet run, shared by its hosts; thread-safe."""

    entries: dict[Any, list[tuple[tuple[Read, ...], Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: int = 0
    misses: int = 0

    def lookup(self, key: Any, same: Callable[[tuple[Read, ...]], bool]) -> tuple[bool, Any]:
        """(True, outcome) for the first kept trace that `same` accepts, else (False, None)."""
        with self.lock:
            variants = list(self.entries.get(key, ()))
        for reads, outcome in variants:
            if same(reads):
                with self.lock:
                    self.hits += 1
                return True, outcome
        with self.lock:
            self.misses += 1
        return False, None

    def keep(self, key: Any, reads: tuple[Read, ...], outcome: Any) -> None:
        with self.lock:
            variants = self.entries.setdefault(key, [])
            if len(variants) < MAX_VARIANTS:
                variants.append((reads, outcome))


def same_answer(a: Any, b: Any) -> bool:
    """Equal answers: bytes, stats and listings by value, errors by type and arguments,
    command results without their duration."""
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        return type(a) is type(b) and a.args == b.args
    duration = getattr(a, "duration_s", None)
    if duration is not None and hasattr(b, "duration_s"):
        return (a.exit_code, a.stdout, a.stderr, a.timed_out) == \
            (b.exit_code, b.stdout, b.stderr, b.timed_out)
    return bool(a == b)


__all__ = ["MAX_VARIANTS", "EvaluationMemo", "Frame", "Read", "same_answer"]
