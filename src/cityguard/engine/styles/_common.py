"""What every configuration style shares: the entry, the include opener, comment handling."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

from cityguard.core.registry import Registry

#: opener(pattern) → [(path, text)] for the files an include directive names
Opener = Callable[[str], list[tuple[str, str]]]
MAX_INCLUDE_DEPTH = 16


@dataclass(frozen=True)
class Entry:
    key: str  # normalised: lower-case (ini: section.key, "-" → "_")
    value: str | list[str]
    file: str
    line: int


class ConfigStyle(Protocol):
    """A configuration file syntax: text → entries (key, value, file, line).

    `effective` says which occurrence of a repeated key is in force: the first (sshd), the
    last (most daemons), or all of them (pam, nginx, apache: every occurrence matters).
    """

    name: ClassVar[str]
    effective: ClassVar[Literal["first", "last", "all"]]

    def parse(self, text: str, path: str, opener: Opener, depth: int, base: str
              ) -> list[Entry]: ...

    def normalise_key(self, key: str) -> str: ...


class BaseStyle:
    effective: ClassVar[Literal["first", "last", "all"]] = "last"

    def normalise_key(self, key: str) -> str:
        return key.strip().lower()


STYLES: Registry[ConfigStyle] = Registry("configuration style")


def register(cls: type) -> type:
    """Class decorator: one instance of the style goes into STYLES."""
    STYLES.register(cls())
    return cls


def parse(style: str, text: str, path: str, opener: Opener, depth: int = 0,
          base: str | None = None) -> list[Entry]:
    """Entries of one file in order; `base` is the directory relative includes start from."""
    return STYLES.get(style).parse(text, path, opener, depth, base or posixpath.dirname(path))


def strip_quotes(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def rel(base: str, pattern: str) -> str:
    return pattern if pattern.startswith("/") else posixpath.join(base, pattern)


def include(opener: Opener, pattern: str, style: str, depth: int, base: str) -> list[Entry]:
    if depth >= MAX_INCLUDE_DEPTH:
        return []
    out: list[Entry] = []
    for path, text in opener(pattern):
        out.extend(parse(style, text, path, opener, depth + 1, base))
    return out


def lines(text: str, comment: str = "#") -> list[tuple[int, str]]:
    out = []
    for no, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if s and not s.startswith(tuple(comment)):
            out.append((no, s))
    return out
