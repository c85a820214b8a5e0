"""The one CSV writer: every CSV cityguard writes (report CSVs, `findings list --format csv`,
exports) goes through here, so a spreadsheet never runs a cell as a formula.

A text cell that starts with = + - @ or a tab / CR is what Excel, LibreOffice and Google Sheets
read as a formula (OWASP "CSV injection"); scanner titles, host names and quoted evidence come
from others, so such a cell gets a leading apostrophe. Numbers stay numbers (a negative score
is not a formula), None is an empty cell. RFC 4180 quoting by the csv module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

#: first characters that make a spreadsheet evaluate a cell (tab and CR: Excel strips them and
#: looks again at what follows)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """True for text a spreadsheet would evaluate; XLSX writers use this too."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def safe_cell(value: Any) -> Any:
    """The value as it may go into a cell: None → "", formula-like text → "'" + text."""
    if value is None:
        return ""
    if formula_like(value):
        return "'" + value
    return value


class _LineWriter:
    """csv.writer over a buffer that is emptied after every row, for streaming.

    The writer ends rows in CRLF whatever the caller wants: csv quotes a cell that holds a
    character of the line terminator, so with "\n" alone a cell holding a bare CR went out
    unquoted, and spreadsheets read that CR as the end of the row."""

    def __init__(self, lineterminator: str) -> None:
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\r\n")
        self.end = lineterminator

    def line(self, values: Sequence[Any]) -> str:
        self.writer.writerow([safe_cell(v) for v in values])
        text = self.buf.getvalue()
        self.buf.seek(0)
        self.buf.truncate()
        return text[:-2] + self.end


def csv_line(values: Sequence[Any], lineterminator: str = "\n") -> str:
    """One row as CSV text, cells neutralised, ending in `lineterminator`."""
    return _LineWriter(lineterminator).line(values)


def csv_lines(headers: Sequence[str] | None, rows: Iterable[Sequence[Any]],
              lineterminator: str = "\n") -> Iterator[str]:
    """The header line (unless None) and one line per row, lazily: a store may hold millions."""
    w = _LineWriter(lineterminator)
    if headers is not None:
        yield w.line(headers)
    for row in rows:
        yield w.line(row)


def write_csv(out: BinaryIO, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
              bom: bool = True, lineterminator: str = "\r\n") -> None:
    """A CSV file on a binary stream: UTF-8 (with a byte-order mark by default, so Excel shows
    Chinese text correctly), CRLF lines. The caller's stream is left open."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", errors="replace",
                            newline="", write_through=True)
    try:
        for line in csv_lines(headers, rows, lineterminator):
            text.write(line)
        text.flush()
    finally:
        text.detach()
