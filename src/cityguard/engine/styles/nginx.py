"""nginx: directives ending in `;`, blocks in braces, `include` followed."""

from __future__ import annotations

import re

from cityguard.engine.styles._common import Entry, Opener, define, include, rel, strip_quotes


def nginx_tokens(text: str) -> list[tuple[str, int]]:
    """(token, line) of nginx text, quotes removed, comments left out; `{`, `}`, `;` apart.

    Public: the `nginx_server` probe builds its block tree from the same tokens.
    """
    tokens = []
    for m in re.finditer(r"#[^\n]*|\"(?:\\.|[^\"])*\"|'(?:\\.|[^'])*'|[{};]|[^\s{};\"'#]+", text):
        tok = m.group(0)
        if tok.startswith("#"):
            continue
        tokens.append((strip_quotes(tok), text.count("\n", 0, m.start()) + 1))
    return tokens


def _parse(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    words: list[str] = []
    line = 0
    for tok, no in nginx_tokens(text):
        if tok in ("{", "}", ";"):
            if words and tok != "}":
                name, args = words[0].lower(), words[1:]
                if name == "include" and tok == ";":
                    for pat in args:
                        out.extend(include(opener, rel("/etc/nginx", pat), "nginx", depth, base))
                elif tok == ";":
                    out.append(Entry(name, " ".join(args), path, line))
            words = []
            continue
        if not words:
            line = no
        words.append(tok)
    return out


define("nginx", _parse, effective="all")
