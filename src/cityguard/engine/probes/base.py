"""The probe protocol: a probe collects values from a target; an expectation judges them.

One probe = one module of this package, registered in PROBES under its `name` (== module
stem). Its `params` is the JSON-Schema of its parameters: the check schema is composed from
these fragments, so an unknown parameter is a validation error at load time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from cityguard.core.registry import Registry
from cityguard.engine.docpath import parse_path
from cityguard.targets.base import HostFacts, Target

T = TypeVar("T")


@dataclass(frozen=True)
class Value:
    """One observed value, where it was seen, and what it is about when there are several."""

    value: Any
    file: str | None = None
    line: int | None = None
    subject: str | None = None  # account name, container, path … when a probe yields many


@dataclass(frozen=True)
class Observation:
    values: tuple[Value, ...] = ()
    not_applicable: str = ""  # non-empty: the probe cannot apply here, and why
    note: str = ""  # e.g. "no file matches /etc/x": shown beside an empty observation
    manual: str = ""  # non-empty: only a person can tell (release-dependent default): the question

    @classmethod
    def na(cls, reason: str) -> Observation:
        return cls(not_applicable=reason)

    @classmethod
    def ask(cls, question: str) -> Observation:
        return cls(manual=question)

    @classmethod
    def of(cls, values: list[Value], note: str = "") -> Observation:
        return cls(values=tuple(values), note=note)


class ProbeError(Exception):
    """The probe could not collect (permission denied, timeout…): the check gives `error`."""


@dataclass
class ProbeContext:
    """What a probe may know besides its parameters; one per target, shared by all checks.

    `cache` keeps parsed files for the run so that thirty sshd checks parse sshd_config once.
    """

    target: Target
    facts: HostFacts
    level: int = 3
    base_dir: Path = field(default_factory=Path.cwd)  # relative evidence paths start here
    default_timeout: float = 10.0
    cache: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self.cache:
                return self.cache[key]  # type: ignore[no-any-return]
        value = compute()  # computed outside the lock: a rare duplicate beats serialising IO
        with self._lock:
            return self.cache.setdefault(key, value)  # type: ignore[no-any-return]

    def read_text(self, path: str) -> str | None:
        """A target file's text (cached); None when absent; ProbeError when unreadable."""
        return self.cached(("text", path), lambda: _read_text(self.target, path))

    def glob(self, pattern: str) -> list[str]:
        return self.cached(("glob", pattern), lambda: self.target.glob(pattern))


def _read_text(target: Target, path: str) -> str | None:
    try:
        return target.read_bytes(path).decode("utf-8", "replace")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except PermissionError:
        raise ProbeError(f"permission denied reading {path} (run cityguard as root)") from None
    except OSError as exc:
        raise ProbeError(f"cannot read {path}: {exc.strerror or exc}") from None


class Probe(Protocol):
    name: ClassVar[str]
    params: ClassVar[dict[str, Any]]  # JSON-Schema `properties` of the parameters
    required: ClassVar[tuple[str, ...]]

    def subject(self, params: dict[str, Any]) -> str:
        """What the probe looks at, for evidence: a path, an argv, a URL, a key."""
        ...

    def timeout(self, params: dict[str, Any], default: float) -> float:
        """Seconds after which the runner gives up on this probe call."""
        ...

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        """(parameter, problem) pairs the schema cannot see (bad regex, bad path syntax)."""
        ...

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        ...


class BaseProbe:
    """Defaults shared by the built-in probes."""

    name: ClassVar[str] = ""
    params: ClassVar[dict[str, Any]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    def subject(self, params: dict[str, Any]) -> str:
        for key in ("path", "key", "name", "url", "pattern"):
            if key in params:
                v = params[key]
                return ", ".join(map(str, v)) if isinstance(v, list) else str(v)
        return self.name

    def timeout(self, params: dict[str, Any], default: float) -> float:
        return default

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        return [(k, p) for k in ("pattern",) if k in params
                for p in [regex_problem(params[k])] if p]

    def __repr__(self) -> str:
        return f"<probe {self.name}>"


PROBES: Registry[Probe] = Registry("probe")


def register(cls: type[T]) -> type[T]:
    """Class decorator: one instance of the probe goes into PROBES."""
    PROBES.register(cls())  # type: ignore[arg-type]
    return cls


def glob_paths(ctx: ProbeContext, pattern: str) -> list[str]:
    """Paths matching a pattern; literal paths skip the directory walk."""
    if not any(c in pattern for c in "*?["):
        return [pattern] if ctx.target.stat(pattern) is not None else []
    return ctx.glob(pattern)


def regex_problem(pattern: str) -> str:
    import re

    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    return ""


def path_problem(path: str) -> str:
    try:
        parse_path(path)
    except ValueError as exc:
        return str(exc)
    return ""


PATH = {"type": "string", "minLength": 1, "pattern": "^/"}
