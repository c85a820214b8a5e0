"""CSV writing shared by csv_findings and csv_items.

UTF-8 with a byte-order mark so Excel shows Chinese text correctly, RFC 4180 quoting, and
cells that a spreadsheet would run as a formula (starting with = + - @ or a tab / CR) get a
leading apostrophe (OWASP "CSV injection"); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, BinaryIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(out: BinaryIO, headers: list[str], rows: Iterable[list[Any]]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", errors="replace", newline="",
                            write_through=True)
    try:
        w = csv.writer(text, lineterminator="\r\n")
        w.writerow(headers)
        for row in rows:
            w.writerow([safe_cell(v) for v in row])
        text.flush()
    finally:
        text.detach()  # leave the caller's stream open
