"""Text measured in terminal cells: a Chinese character takes two, so columns align and lines
wrap where a reader expects them to.

Used by the tables of `console`, the help formatter and the views; no rich here (console.py
is the only module that imports it), so the help path stays cheap.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

ELLIPSIS = "…"
#: a CJK run up to this many characters is a term (等级保护, 身份鉴别) and is never split
TERM_CHARS = 6
#: closing punctuation stays with what precedes it; opening punctuation with what follows
_NO_BREAK_BEFORE = frozenset("，。、；：！？）》」』】〕…,.;:!?)]}%")
_NO_BREAK_AFTER = frozenset("（《「『【〔([{")


def char_width(ch: str) -> int:
    if " " <= ch < "\u0300":  # Latin text: one cell, no table lookup
        return 1
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def cell_width(text: str) -> int:
    """Columns the text takes in a terminal (the longest line when it has several)."""
    if text.isascii():
        return max(map(len, text.split("\n")), default=0)
    return max((sum(char_width(c) for c in line) for line in text.split("\n")), default=0)


def _pieces(paragraph: str) -> list[tuple[str, bool]]:
    """(piece, preceded by a space): the units a line may break between."""
    raw: list[tuple[str, bool]] = []
    i, n, spaced = 0, len(paragraph), False
    while i < n:
        ch = paragraph[i]
        if ch.isspace():
            spaced = True
            i += 1
            continue
        j = i
        wide = char_width(ch) == 2
        while j < n and not paragraph[j].isspace() and (char_width(paragraph[j]) == 2) == wide:
            j += 1
        run = paragraph[i:j]
        if wide and len(run) > TERM_CHARS:  # prose: a line may end after any character
            raw.append((run[0], spaced))
            raw.extend((c, False) for c in run[1:])
        elif not wide and "/" in run[:-1]:  # a path may end a line after a slash
            parts = [p + "/" for p in run.split("/")]
            parts[-1] = parts[-1][:-1]
            parts = [p for p in parts if p]
            raw.append((parts[0], spaced))
            raw.extend((p, False) for p in parts[1:])
        else:
            raw.append((run, spaced))
        spaced = False
        i = j
    glued: list[tuple[str, bool]] = []
    for piece, sp in raw:
        if glued and not sp and (piece[0] in _NO_BREAK_BEFORE or glued[-1][0][-1] in
                                 _NO_BREAK_AFTER):
            glued[-1] = (glued[-1][0] + piece, glued[-1][1])
        else:
            glued.append((piece, sp))
    return glued


def _fold(piece: str, width: int) -> list[str]:
    """A piece wider than a whole line, cut at the width (the last part is returned open).
    A Chinese term is cut into even parts (再次/发现, not 再次发/现)."""
    if all(char_width(c) == 2 for c in piece) and width >= 2:
        lines = -(-cell_width(piece) // width)
        size = -(-len(piece) // lines)
        return [piece[i:i + size] for i in range(0, len(piece), size)]
    out, cur, w = [], "", 0
    for ch in piece:
        cw = char_width(ch)
        if cur and w + cw > width:
            out.append(cur)
            cur, w = "", 0
        cur += ch
        w += cw
    out.append(cur)
    return out


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells, broken at spaces, after a slash, after CJK punctuation or
    between the characters of Chinese prose; explicit newlines are kept. A word longer than a
    line is cut."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        cur, w = "", 0
        for piece, spaced in _pieces(paragraph):
            pw = cell_width(piece)
            gap = 1 if spaced and cur else 0
            if w + gap + pw <= width:
                cur += " " * gap + piece
                w += gap + pw
                continue
            if cur:
                lines.append(cur)
            parts = _fold(piece, width) if pw > width else [piece]
            lines.extend(parts[:-1])
            cur, w = parts[-1], cell_width(parts[-1])
        lines.append(cur)
    return lines


def truncate(text: str, width: int) -> str:
    """One line of at most `width` cells, ending in … when something was cut."""
    if cell_width(text) <= width:
        return text
    out, w = "", 0
    for ch in text:
        cw = char_width(ch)
        if w + cw > width - 1:
            break
        out += ch
        w += cw
    return out.rstrip() + ELLIPSIS


def clip(lines: list[str], max_lines: int | None, width: int) -> tuple[list[str], bool]:
    """At most `max_lines` lines (None: all); the last one shown ends in … when some were cut."""
    if max_lines is None or len(lines) <= max_lines:
        return lines, False
    kept = lines[:max_lines]
    last = kept[-1]
    kept[-1] = last + ELLIPSIS if cell_width(last) < width else truncate(last + ELLIPSIS, width)
    return kept, True


def longest_word(text: str) -> int:
    """Cells of the widest piece a line cannot break inside (a column narrower cuts words)."""
    return max((cell_width(p) for line in str(text).split("\n") for p, _ in _pieces(line)),
               default=0)


def pad(text: str, width: int) -> str:
    """Left-aligned in `width` cells."""
    return text + " " * max(0, width - cell_width(text))


def short_path(path: str | os.PathLike[str], cwd: str | None = None) -> str:
    """A path as a reader in this directory would type it: relative below the current
    directory, ~/… below the home directory, else as given."""
    text = str(path)
    if not text or "://" in text:
        return text
    here = os.path.abspath(cwd or os.getcwd())
    full = os.path.abspath(os.path.expanduser(text))
    if full == here:
        return "."
    if full.startswith(here + os.sep):
        return os.path.relpath(full, here)
    home = str(Path.home())
    if home not in ("", "/") and full.startswith(home + os.sep):
        return "~/" + os.path.relpath(full, home)
    return text


def fit_path(path: str, width: int) -> str:
    """A path on one line of `width` cells: its middle replaced by … when it is too long,
    keeping the first folder and as much of the end (the file name) as fits."""
    if cell_width(path) <= width:
        return path
    parts = path.split("/")
    head = parts[0] + "/" if parts[0] else "/" + (parts[1] + "/" if len(parts) > 2 else "")
    for k in range(1, len(parts)):
        tail = "/".join(parts[k:])
        for start in (head + ELLIPSIS + "/", ELLIPSIS + "/"):
            if cell_width(start + tail) <= width:
                return start + tail
    name = parts[-1]
    while name and cell_width(ELLIPSIS + name) > width:
        name = name[1:]
    return ELLIPSIS + name


def short_target(spec: str) -> str:
    """An assessment target (dir:PATH, ssh://…, local) with a directory path shortened."""
    if spec.startswith("dir:"):
        return "dir:" + short_path(spec[4:])
    return spec
