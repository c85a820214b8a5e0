"""Apache httpd: one directive a line, sections ignored, `Include` followed from ServerRoot."""

from __future__ import annotations

import re

from cityguard.engine.styles._common import Entry, Opener, define, include, lines, rel, strip_quotes


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    root = base
    joined = re.sub(r"\\\n", " ", text)  # continuation lines
    for no, s in lines(joined):
        if s.startswith("<"):
            continue
        parts = s.split(None, 1)
        name, value = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
        if name == "serverroot":
            root = strip_quotes(value)
        if name in ("include", "includeoptional"):
            out.extend(include(opener, rel(root, strip_quotes(value)), "apache", depth, root))
            continue
        out.append(Entry(name, strip_quotes(value), path, no))
    return out


define("apache", _parse, effective="all")
