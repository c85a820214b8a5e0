"""`key value` lines (login.defs, many daemons)."""

from __future__ import annotations

from cityguard.engine.styles._common import Entry, Opener, define, lines, strip_quotes


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out = []
    for no, s in lines(text):
        parts = s.split(None, 1)
        value = parts[1] if len(parts) > 1 else ""
        out.append(Entry(parts[0].lower(), strip_quotes(value), path, no))
    return out


define("keyvalue", _parse)
