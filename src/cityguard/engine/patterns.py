"""Regular expressions of checks, matched in bounded time on bounded lines.

A check's pattern meets text written by whoever controls the assessed host. With the standard
`re` one crontab line `root borg @@@@…` of 5 KB kept `assess` busy past 150 s: `re` backtracks
without limit, holds the GIL while it does, and a probe thread abandoned by the runner goes on
matching. So every pattern from a check is compiled here with the `regex` module (the same
syntax and Unicode classes as `re`, so check files keep their meaning, plus a `timeout=` that
ends a match and a matcher that releases the GIL), and matched through a `Budget`:

- a line longer than limits.MAX_LINE is not matched (an `error`, never a judged prefix);
- all matches of one probe call on one file share limits.REGEX_SECONDS, and never run past
  the probe's own deadline (`--probe-timeout`, set by the runner in the probe's thread);
- going over ends the work with PatternError, which the runner turns into an `error` result.

Why not a linear-time engine (RE2): its `\\w` and `\\b` are ASCII-only and it has no
lookaround, so patterns over Chinese text and the library's lookarounds would silently change
their meaning. tests/security/test_regex_time.py times every pattern of the library on long
adversarial lines, so super-linear ones are fixed at the source as well.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from cityguard.core import limits

#: when the probe running in this thread must stop (time.monotonic()), None outside probes
DEADLINE: ContextVar[float | None] = ContextVar("cityguard_probe_deadline", default=None)


class PatternError(Exception):
    """A pattern could not be matched within the bounds: the check gives `error`."""


class BoundedPattern:
    """A compiled pattern whose `search` is bounded: within the probe's deadline (or
    limits.REGEX_SECONDS outside a probe) and on lines up to limits.MAX_LINE."""

    def __init__(self, rx: Any) -> None:
        self.rx = rx
        self.pattern: str = rx.pattern
        self.groups: int = rx.groups

    def search(self, text: str) -> Any:
        return Budget("a line").search(self.rx, text)


@lru_cache(maxsize=2048)
def compile_pattern(pattern: str, ignore_case: bool = False) -> BoundedPattern:
    """The compiled pattern (regex module, V0: `re` semantics); regex.error when invalid."""
    import regex

    return BoundedPattern(regex.compile(pattern, regex.IGNORECASE if ignore_case else 0))


def problem(pattern: str) -> str:
    """'' for a valid pattern, else why not (for check validation)."""
    import re

    import regex

    try:
        compile_pattern(pattern)
        return ""
    except regex.error as exc:
        message = str(exc)
    try:  # the standard library's wording where it agrees: the one authors know
        re.compile(pattern)
    except re.error as std:
        message = str(std)
    return f"invalid regular expression: {message}"


class Budget:
    """Time for the matches of one probe call on one input (a file, a list of values)."""

    def __init__(self, where: str, seconds: float = limits.REGEX_SECONDS) -> None:
        self.where = where
        now = time.monotonic()
        self.end = now + seconds
        deadline = DEADLINE.get()
        if deadline is not None:
            self.end = min(self.end, deadline)
        self.seconds = max(0.0, self.end - now)

    def search(self, rx: Any, text: str, at: str = "") -> Any:
        """rx.search(text) within the budget; PatternError for a line too long or a match
        that runs out of time. `at` says where the text is from (FILE:LINE)."""
        at = at or self.where
        if len(text) > limits.MAX_LINE:
            raise PatternError(f"{at}: a line of {len(text) // 1024} KiB, over the "
                               f"{limits.MAX_LINE // 1024} KiB a pattern is matched against; "
                               "not judged")
        rx = getattr(rx, "rx", rx)  # a BoundedPattern's own compiled pattern
        left = self.end - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            return rx.search(text, timeout=left)
        except TimeoutError:
            raise PatternError(f"pattern {rx.pattern!r} ran over {self.seconds:g} s on {at}: "
                               "abandoned (the text makes it backtrack too long)") from None
