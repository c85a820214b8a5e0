"""PAM stacks: the key is the module, the value [type, control, *arguments]; includes followed."""

from __future__ import annotations

import posixpath
import re

from cityguard.engine.styles._common import Entry, Opener, define, include, lines, rel


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    """Key = module name; value = [type, control, *arguments]."""
    out: list[Entry] = []
    for no, s in lines(text):
        if s.startswith("@include"):
            out.extend(include(opener, rel("/etc/pam.d", s.split()[1]), "pam", depth, base))
            continue
        m = re.match(r"^-?(\w+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$", s)
        if not m:
            continue
        ptype, control, module, args = m.groups()
        if ptype in ("auth", "account", "password", "session") and control in ("include",
                                                                             "substack"):
            out.extend(include(opener, rel("/etc/pam.d", module), "pam", depth, base))
            continue
        tokens = [ptype, control, *re.findall(r"\[[^\]]*\]|\S+", args)]
        out.append(Entry(posixpath.basename(module).lower(), tokens, path, no))
    return out


define("pam", _parse, effective="all")
