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
from cityguard.engine import patterns
from cityguard.engine.docpath import parse_path
from cityguard.policy.messages import text as say
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
        """Paths matching a glob; ProbeError when the directory to search cannot be read (an
        unreadable directory must not look empty: evidence that cannot be read is an error,
        never "not present")."""

        def compute() -> list[str]:
            try:
                found = self.target.glob(pattern)
            except PermissionError as exc:
                raise ProbeError(_denied(exc.filename or pattern)) from None
            if not found:
                self.check_readable(_literal_dir(pattern))
            return found

        return self.cached(("glob", pattern), compute)

    def check_readable(self, directory: str) -> None:
        """ProbeError when `directory` exists but this assessment cannot list it.

        Only directories closed to other users are asked about (one `test -r -x` where the
        target runs commands; dir: and local targets raise PermissionError themselves)."""

        def compute() -> bool:
            if not directory or directory == "/":
                return True
            try:
                st = self.target.stat(directory)
            except PermissionError:
                return False
            if st is None or not st.is_dir or st.mode & 0o005 == 0o005:
                return True
            if self.target.kind != "ssh" or not self.target.can_run_commands:
                return True
            res = self.target.run(["test", "-r", directory, "-a", "-x", directory],
                                  self.default_timeout)
            return res.exit_code == 0 or res.timed_out

        if not self.cached(("readable", directory), compute):
            raise ProbeError(_denied(directory))


def _read_text(target: Target, path: str) -> str | None:
    try:
        return target.read_bytes(path).decode("utf-8", "replace")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except PermissionError:
        raise ProbeError(denied_root(path)) from None
    except OSError as exc:
        raise ProbeError(cannot_read(path, exc)) from None


def denied_root(path: str) -> str:
    return say("engine.probe.denied_root", path=path)


def cannot_read(path: str, exc: OSError) -> str:
    return say("engine.probe.cannot_read", path=path, error=exc.strerror or str(exc))


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
    """Paths matching a pattern; literal paths skip the directory walk. A path in a directory
    this assessment cannot read is a ProbeError, not an absent file."""
    if not any(c in pattern for c in "*?["):
        try:
            found = ctx.target.stat(pattern) is not None
        except PermissionError:
            raise ProbeError(_denied(pattern.rsplit("/", 1)[0] or "/")) from None
        if not found:
            ctx.check_readable(pattern.rsplit("/", 1)[0])
        return [pattern] if found else []
    return ctx.glob(pattern)


def _literal_dir(pattern: str) -> str:
    """The deepest directory of a glob pattern before its first wildcard."""
    head = pattern.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
    return head.rsplit("/", 1)[0]


def _denied(path: str) -> str:
    return say("engine.probe.denied", path=path)


def regex_problem(pattern: str) -> str:
    """'' for a valid pattern, else why not (the engine's own compiler: engine.patterns)."""
    return patterns.problem(pattern)


def path_problem(path: str) -> str:
    try:
        parse_path(path)
    except ValueError as exc:
        return str(exc)
    return ""


PATH = {"type": "string", "minLength": 1, "pattern": "^/"}
