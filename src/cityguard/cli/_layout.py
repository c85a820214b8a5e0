"""How a table fits the terminal: its columns' widths, or another layout when it cannot fit.

A table gets the widths its text needs when the terminal is wide enough. When it is not, the
widest columns give up space first, then secondary columns are dropped (highest `drop` first),
and when even that would cut a cell into more than `lines` lines (slivers a reader cannot
follow), the rows are shown stacked: one record at a time, one `key  value` line per column,
at the full width of the terminal. Pure functions; console.py draws the result with rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cityguard.cli._text import cell_width, char_width, clip, fit_path, longest_word, wrap

#: the most lines a cell may take before the layout changes
MAX_LINES = 3
#: the narrowest a column may become (a word wider than this is cut, not the column)
MIN_COLUMN = 4


@dataclass(frozen=True)
class Col:
    """A column: its header and how it behaves when space is short.

    drop: 0 = always shown; columns with higher numbers go first when the terminal is narrow.
    lines: the most lines one of its cells may take (1 = one line, cut with …).
    clip: its cells may be cut to `lines` lines (with …) instead of changing the layout, as
          long as the column gets at least `min_width` cells (long prose: summaries, remedies).
    heading: in the stacked layout this column heads each record (default: the first one).
    path: the first line of each cell is a path, kept on one line (its middle cut with …);
          further lines (a reason) wrap as usual.
    """

    header: str
    drop: int = 0
    lines: int = MAX_LINES
    clip: bool = False
    min_width: int = 0
    justify: str = "left"
    style: str = ""
    heading: bool = False
    path: bool = False


def border_width(columns: int) -> int:
    """Cells a boxed table spends on borders and padding: │ a │ b │."""
    return 3 * columns + 1


@dataclass
class Plan:
    kind: str  # "table" | "stacked"
    columns: list[int]  # indices of the columns shown
    widths: list[int] = field(default_factory=list)  # per shown column (table)
    cells: list[list[list[str]]] = field(default_factory=list)  # row → column → lines
    headers: list[list[str]] = field(default_factory=list)  # column → header lines
    clipped: int = 0  # cells cut short (with …)
    dropped: list[int] = field(default_factory=list)  # indices of columns left out

    def height(self) -> int:
        """The most lines any shown cell takes."""
        return max((len(c) for row in self.cells for c in row), default=0)

    def total_height(self) -> int:
        """Lines of all rows together (a row is as high as its highest cell)."""
        return sum(max((len(c) for c in row), default=1) for row in self.cells)


def lines_of(col: Col, text: str, width: int) -> list[str]:
    """A cell's text as lines of `width` cells (a path column keeps its path on one line)."""
    if col.path:
        first, _, rest = text.partition("\n")
        return [fit_path(first, width), *(wrap(rest, width) if rest else [])]
    return wrap(text, width)


def _header_floor(header: str) -> int:
    """A Chinese header may fold every two characters (严重/程度); a Latin word may not."""
    return max((cell_width(w) if char_width(w[0]) == 1 else min(4, cell_width(w))
                for w in header.split()), default=1)


def _natural(col: Col, values: Sequence[str]) -> tuple[int, int]:
    """(widest content, narrowest width that cuts no word) of a column."""
    natural = max([cell_width(col.header), *(cell_width(v) for v in values)], default=1)
    if col.clip:  # long prose: a word wider than the column is cut, not the layout changed
        floor = max(MIN_COLUMN, _header_floor(col.header), col.min_width)
    else:
        floor = max([MIN_COLUMN, _header_floor(col.header), *(longest_word(v) for v in values)])
    return max(1, natural), min(natural, floor)


def _allocate(naturals: list[int], floors: list[int], room: int) -> list[int] | None:
    """Widths that fit `room`: every column its natural width when possible, else the widest
    ones shrunk to a common cap (never below their floor); None when even the floors do not
    fit."""
    if sum(naturals) <= room:
        return list(naturals)
    if sum(floors) > room:
        return None
    lo, hi = 1, max(naturals)
    while lo < hi:  # the largest cap whose widths fit
        cap = (lo + hi + 1) // 2
        if sum(max(f, min(n, cap)) for n, f in zip(naturals, floors, strict=True)) <= room:
            lo = cap
        else:
            hi = cap - 1
    widths = [max(f, min(n, lo)) for n, f in zip(naturals, floors, strict=True)]
    spare = room - sum(widths)
    for i in sorted(range(len(widths)), key=lambda k: -naturals[k]):  # leftover cells
        if spare <= 0:
            break
        extra = min(spare, naturals[i] - widths[i])
        widths[i] += max(0, extra)
        spare -= max(0, extra)
    return widths


def _try_table(cols: Sequence[Col], rows: Sequence[Sequence[str]], shown: list[int],
               width: int, max_lines: int | None) -> Plan | None:
    values = [[r[i] for r in rows] for i in shown]
    measured = [_natural(cols[i], v) for i, v in zip(shown, values, strict=True)]
    widths = _allocate([m[0] for m in measured], [m[1] for m in measured],
                       width - border_width(len(shown)))
    if widths is None:
        return None
    plan = Plan("table", shown, widths)
    for k, i in enumerate(shown):
        head = wrap(cols[i].header, widths[k])
        if len(head) > MAX_LINES:
            return None
        plan.headers.append(head)
    for row in rows:
        cells = []
        for k, i in enumerate(shown):
            lines = lines_of(cols[i], row[i], widths[k])
            limit = cols[i].lines if max_lines is not None else None
            if limit is not None and len(lines) > limit and not cols[i].clip and limit > 1:
                return None  # this would be a sliver: another layout reads better
            lines, cut = clip(lines, limit, widths[k])
            plan.clipped += cut
            cells.append(lines)
        plan.cells.append(cells)
    return plan


def plan(cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int,
         *, max_lines: int | None = MAX_LINES) -> Plan:
    """The layout of a table at `width` cells. max_lines=None (--verbose) never cuts a cell."""
    every = list(range(len(cols)))
    levels = sorted({c.drop for c in cols if c.drop > 0}, reverse=True)
    candidates = [every]
    for level in levels:
        candidates.append([i for i in candidates[-1] if cols[i].drop < level or
                           cols[i].drop == 0])
    found = [p for p in (_try_table(cols, rows, shown, width, max_lines) for shown in
                         candidates) if p is not None]
    if not found:
        return stacked(cols, rows, width, max_lines=max_lines)
    shortest = min(p.total_height() for p in found)
    # the fullest table unless dropping a secondary column saves a third of the lines
    best = next(p for p in found if p.total_height() * 2 <= shortest * 3)
    best.dropped = [i for i in every if i not in best.columns]
    return best


def stacked(cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int,
            *, max_lines: int | None = MAX_LINES) -> Plan:
    """One record per row: its heading column first, then `key  value` lines.

    Plan.columns gives the order: the heading column, then the others as declared."""
    head = next((i for i, c in enumerate(cols) if c.heading), 0)
    order = [head, *(i for i in range(len(cols)) if i != head)]
    key_width = max((cell_width(cols[i].header) for i in order[1:]), default=0)
    value_width = max(MIN_COLUMN * 5, width - 2 - key_width - 2)
    out = Plan("stacked", order, [width, value_width])
    for row in rows:
        cells = []
        for k, i in enumerate(order):
            col = cols[i]
            room = width if k == 0 else value_width
            limit = None if max_lines is None else col.lines
            lines, cut = clip(lines_of(col, row[i], room), limit, room)
            out.clipped += cut
            cells.append(lines)
        out.cells.append(cells)
    out.headers = [[cols[i].header] for i in order]
    return out
