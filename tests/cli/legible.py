"""What the terminal tests call legible, checked on the text a command really printed.

Every line fits the width (counted in terminal cells: a Chinese character takes two). Every
table the command drew is found in the output and measured there: its body has exactly the
lines its layout planned (rich wrapped nothing further), each row starts where the layout says,
and no row, so no cell, takes more than three lines. Stacked records keep each value to three
lines as well.
"""

from __future__ import annotations

import re
from typing import Any

from cityguard.cli._text import cell_width

MAX_LINES = 3
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def visible(text: str) -> str:
    """The text without terminal control sequences."""
    return _ANSI.sub("", text).replace("\r", "")


def too_wide(text: str, width: int) -> list[str]:
    return [line for line in visible(text).splitlines() if cell_width(line) > width]


def _bodies(text: str) -> list[list[str]]:
    """The body lines of every boxed table, in order (between ┡━…┩ and └─…┘)."""
    out: list[list[str]] = []
    body: list[str] | None = None
    for line in visible(text).splitlines():
        if line.startswith("┡"):
            body = []
        elif line.startswith("└") and body is not None:
            out.append(body)
            body = None
        elif body is not None:
            body.append(line)
    return out


def _first_cell(line: str) -> str:
    return line.strip().lstrip("│").split("│")[0].strip()


def assert_legible(text: str, plans: list[Any], width: int) -> None:
    wide = too_wide(text, width)
    assert not wide, f"lines wider than {width}: {wide[:3]}"
    tables = [p for p in plans if p.kind == "table"]
    bodies = _bodies(text)
    assert len(bodies) == len(tables), (len(bodies), len(tables))
    for body, p in zip(bodies, tables, strict=True):
        heights = [max((len(c) for c in row), default=1) for row in p.cells]
        assert max(heights, default=0) <= MAX_LINES, heights
        assert len(body) == sum(heights), "rich wrapped a cell further than planned"
        start = 0
        for row, h in zip(p.cells, heights, strict=True):
            assert _first_cell(body[start]) == row[0][0].strip(), (body[start], row[0])
            start += h
    for p in plans:
        assert p.height() <= MAX_LINES, f"a {p.kind} cell takes {p.height()} lines"
        if p.kind == "stacked":
            shown = visible(text)
            for row in p.cells:
                assert row[0][0].strip() in shown
