"""redis.conf: `key value…` with quoting, `include` followed."""

from __future__ import annotations

import shlex

from cityguard.engine.styles._common import Entry, Opener, define, include, lines, rel


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    for no, s in lines(text):
        try:
            words = shlex.split(s)
        except ValueError:
            words = s.split()
        if not words:
            continue
        # one argument: unquoted (requirepass "x" → x); several: as written (rename-command X "")
        rest = s.split(None, 1)[1].strip() if len(s.split(None, 1)) > 1 else ""
        key, value = words[0].lower(), (words[1] if len(words) == 2 else rest)
        if key == "include":
            out.extend(include(opener, rel(base, value), "redis", depth, base))
            continue
        out.append(Entry(key, value, path, no))
    return out


define("redis", _parse)
