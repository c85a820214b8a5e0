"""What every configuration style shares: the entry, the include opener, comment handling."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from cityguard.core.registry import Registry

#: opener(pattern) → [(path, text)] for the files an include directive names
Opener = Callable[[str], list[tuple[str, str]]]
MAX_INCLUDE_DEPTH = 16
#: which occurrence of a repeated key is in force
Effective = Literal["first", "last", "all"]


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

    name: str
    effective: Effective

    def parse(self, text: str, path: str, opener: Opener, depth: int, base: str
              ) -> list[Entry]: ...

    def normalise_key(self, key: str) -> str: ...


#: a style's parser: (text, path, opener, depth, base) → entries of that file and its includes
ParseFn = Callable[[str, str, Opener, int, str], list[Entry]]


def plain_key(key: str) -> str:
    return key.strip().lower()


@dataclass(frozen=True)
class FunctionStyle:
    """A style made of its parse function and its rules (every built-in style is one)."""

    name: str
    parser: ParseFn
    effective: Effective = "last"
    key_rule: Callable[[str], str] = plain_key

    def parse(self, text: str, path: str, opener: Opener, depth: int, base: str
              ) -> list[Entry]:
        return self.parser(text, path, opener, depth, base)

    def normalise_key(self, key: str) -> str:
        return self.key_rule(key)


STYLES: Registry[ConfigStyle] = Registry("configuration style")


def define(name: str, parser: ParseFn, *, effective: Effective = "last",
           normalise_key: Callable[[str], str] = plain_key) -> None:
    """Register the style `name` (the module's stem) with its parser and key rules."""
    STYLES.register(FunctionStyle(name, parser, effective, normalise_key))


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
