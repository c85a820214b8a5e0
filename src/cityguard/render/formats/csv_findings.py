"""findings.csv: every finding, one row each, columns named as in the Assessment JSON.

For tools and spreadsheets; `--format csv` writes this and items.csv. See render/_csv.py for
the encoding (UTF-8 with BOM) and the formula-injection guard.
"""

from __future__ import annotations

from typing import BinaryIO, ClassVar

from cityguard.model import Assessment
from cityguard.render import _csv, _rows
from cityguard.render.base import register


@register
class CsvFindingsRenderer:
    name: ClassVar[str] = "csv_findings"
    extension: ClassVar[str] = "csv"
    filename: ClassVar[str] = "findings.csv"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "CSV of findings (one row per finding)"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        headers, rows = _rows.finding_rows(assessment, lang, machine=True)
        _csv.write_csv(out, headers, rows)
