"""OpenSSH server configuration: the first value of a key wins; `Match` ends the global part."""

from __future__ import annotations

import re

from cityguard.engine.styles._common import Entry, Opener, define, include, lines, rel, strip_quotes


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    for no, s in lines(text):
        m = re.match(r"^([A-Za-z0-9]+)(?:\s*=\s*|\s+)(.*)$", s)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "match":
            break  # the rest of the file applies conditionally, not globally
        if key == "include":
            for pat in value.split():
                out.extend(include(opener, rel("/etc/ssh", pat), "sshd", depth, base))
            continue
        out.append(Entry(key, strip_quotes(value), path, no))
    return out


define("sshd", _parse, effective="first")
