"""INI files with sections and MySQL `!include`/`!includedir`; `-` and `_` in keys alike."""

from __future__ import annotations

import re

from cityguard.engine.styles._common import Entry, Opener, define, include, lines, rel, strip_quotes


def _ini_key(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def _normalise_key(key: str) -> str:
    section, dot, name = key.rpartition(".")
    return f"{_ini_key(section)}.{_ini_key(name)}" if dot else _ini_key(name)


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    section = ""
    for no, s in lines(text, "#;"):
        if s.startswith("!include"):  # MySQL: !include FILE, !includedir DIR
            directive, _, target = s.partition(" ")
            pattern = rel(base, target.strip())
            if directive == "!includedir":
                pattern = pattern.rstrip("/") + "/*.cnf"
            out.extend(include(opener, pattern, "ini", depth, base))
            continue
        if s.startswith("[") and s.endswith("]"):
            section = _ini_key(s[1:-1])
            continue
        if "=" in s:
            key, _, value = s.partition("=")
        elif ":" in s and not s.startswith(":"):
            key, _, value = s.partition(":")
        else:
            key, value = s, ""  # a bare flag such as skip-symbolic-links
        key = _ini_key(key)
        value = strip_quotes(re.split(r"\s[#;]", value, maxsplit=1)[0])
        out.append(Entry(f"{section}.{key}" if section else key, value, path, no))
    return out


define("ini", _parse, normalise_key=_normalise_key)
