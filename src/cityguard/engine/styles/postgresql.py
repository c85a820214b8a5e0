"""postgresql.conf: `key = value` with quoted strings and include directives."""

from __future__ import annotations

import re

from cityguard.engine.styles._common import Entry, Opener, define, include, lines, rel


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    for no, s in lines(text):
        m = re.match(r"^([\w.\-]+)\s*(?:=\s*|\s+)('(?:[^']|'')*'|[^#\s]*)", s)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        if key in ("include", "include_if_exists"):
            out.extend(include(opener, rel(base, value), "postgresql", depth, base))
        elif key == "include_dir":
            pattern = rel(base, value).rstrip("/") + "/*.conf"
            out.extend(include(opener, pattern, "postgresql", depth, base))
        else:
            out.append(Entry(key, value, path, no))
    return out


define("postgresql", _parse)
