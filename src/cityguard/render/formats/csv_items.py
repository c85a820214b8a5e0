"""items.csv: the item results per assessed object (测评结果记录), labels in `--lang`.

`--format csv` writes this and findings.csv. See render/_csv.py for the encoding (UTF-8 with
BOM) and the formula-injection guard.
"""

from __future__ import annotations

from typing import BinaryIO, ClassVar

from cityguard.model import Assessment
from cityguard.render import _csv, _rows
from cityguard.render.base import register


@register
class CsvItemsRenderer:
    name: ClassVar[str] = "csv_items"
    extension: ClassVar[str] = "csv"
    filename: ClassVar[str] = "items.csv"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "CSV of item results per assessed object"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        headers, rows = _rows.item_rows(assessment, lang)
        _csv.write_csv(out, headers, rows)
