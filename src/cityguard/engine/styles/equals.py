"""`key = value` lines (sysctl, audit, many daemons); `#` and `;` comment."""

from __future__ import annotations

from cityguard.engine.styles._common import Entry, Opener, define, lines, strip_quotes


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out = []
    for no, s in lines(text, "#;"):
        if "=" not in s:
            continue
        key, _, value = s.partition("=")
        out.append(Entry(key.strip().lower(), strip_quotes(value), path, no))
    return out


define("equals", _parse)
