"""The literal text a pattern cannot match without: a cheap test before the regex engine.

A device check's patterns are almost all `^keyword words (value)` and a configuration has
hundreds to thousands of lines, so a run over a thousand devices makes millions of searches,
each one a bounded match in the `regex` module (engine/patterns.py). `'telnet server ' in
line` rules out nearly every line at a fraction of that cost; the regex still decides.

Only what is certainly required is taken: literal characters at the top level of a pattern
without a top-level `|`, none followed by a quantifier that allows zero, no inline flags.
Anything unclear gives "" (no prefilter), never a wrong skip.
"""

from __future__ import annotations

from functools import lru_cache

_META = set(".^$*+?{}[]()|\\")
_ESCAPED_LITERAL = set(".^$*+?{}[]()|\\/-#\"' ")


@lru_cache(maxsize=4096)
def required_literal(pattern: str) -> str:
    """The longest run of characters every match must contain ("" when unknown)."""
    if pattern.startswith("(?") and not pattern.startswith(("(?:", "(?P", "(?=", "(?!")):
        return ""  # inline flags such as (?i) change what a literal means
    runs: list[str] = []
    run = ""
    depth = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
        if ch == "\\":
            esc = pattern[i + 1:i + 2]
            lit = esc if esc in _ESCAPED_LITERAL else None
            i += 2
            quant = pattern[i:i + 1]
            if depth == 0 and lit is not None and quant not in ("?", "*", "{"):
                run += lit
            else:
                runs.append(run)
                run = ""
            continue
        if ch in "{[":  # a counted quantifier such as {2,5} or a class: no text, skip to its end
            j = pattern.find("}" if ch == "{" else "]", i + 2 if ch + nxt == "[^" else i + 1)
            if j < 0:
                return ""
            runs.append(run)
            run = ""
            i = j + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return ""  # top-level alternatives: nothing is required by all of them
        if depth == 0 and ch not in _META and nxt not in ("?", "*", "{"):
            run += ch
        elif ch not in "()" or depth:
            runs.append(run)
            run = ""
        if ch == ")":  # a group may be optional: it never joins runs
            runs.append(run)
            run = ""
        i += 1
    runs.append(run)
    return max(runs, key=len) if runs else ""
