"""Colours and print setup of the assessor's workbook (openpyxl objects built lazily).

Verdict, severity, status and risk-level cells get the report's colours twice: as the cell's
own fill (every viewer shows it) and as conditional formatting on the column (the colour
follows an assessor who corrects a verdict by hand). Scores get a red-to-green colour scale,
CVSS and risk values a data bar. Every sheet prints on A4 landscape, fit to the page width,
with the header row repeated on each page and page numbers in the footer.
"""

from __future__ import annotations

from typing import Any

from cityguard.policy import messages

#: (enum group, value) → (fill, font colour); the HTML report's palette (reports/html/style.css)
COLOURS: dict[str, dict[str, tuple[str, str]]] = {
    "verdict": {"compliant": ("E6F4EA", "2E7D32"), "partial": ("FFF3E0", "B26A00"),
                "non_compliant": ("FDECEA", "C62828"), "not_assessed": ("F3F4F6", "374151"),
                "not_applicable": ("F3F4F6", "9AA3AD")},
    "severity": {"critical": ("7F1D1D", "FFFFFF"), "high": ("C62828", "FFFFFF"),
                 "medium": ("E07B00", "FFFFFF"), "low": ("F4E7A1", "5C4A00"),
                 "info": ("E3EBF5", "2F4A6B")},
    "status": {"pass": ("E6F4EA", "2E7D32"), "fail": ("FDECEA", "C62828"),
               "error": ("F3F4F6", "374151"), "manual": ("F3F4F6", "374151"),
               "not_applicable": ("F3F4F6", "9AA3AD")},
    "risk_level": {"5": ("7F1D1D", "FFFFFF"), "4": ("C62828", "FFFFFF"),
                   "3": ("E07B00", "FFFFFF"), "2": ("EEF3C9", "4D5A00"),
                   "1": ("E6F4EA", "2E7D32")},
    "finding_status": {"open": ("FDECEA", "C62828"), "reopened": ("FDECEA", "C62828"),
                       "fixed": ("E6F4EA", "2E7D32"), "accepted": ("FFF3E0", "B26A00"),
                       "false_positive": ("F3F4F6", "9AA3AD")},
    "high_risk_status": {"open": ("FDECEA", "C62828"), "mitigated": ("FFF3E0", "B26A00"),
                         "waived": ("F3F4F6", "374151")},
}


def palette(groups: tuple[str, ...], lang: str) -> dict[str, tuple[str, str]]:
    """The label a cell shows (符合, 高危 …) → its colours, for the given enum groups."""
    out: dict[str, tuple[str, str]] = {}
    for group in groups:
        for value, colours in COLOURS[group].items():
            out[messages.enum(group, value, lang)] = colours
    return out


class Styles:
    """openpyxl style objects, made once per workbook."""

    def __init__(self) -> None:
        from openpyxl.styles import Font, PatternFill

        self._fill = PatternFill
        self._font = Font
        self.fills: dict[str, Any] = {}
        self.fonts: dict[str, Any] = {}

    def fill(self, rgb: str) -> Any:
        if rgb not in self.fills:
            self.fills[rgb] = self._fill("solid", fgColor=rgb, bgColor=rgb)
        return self.fills[rgb]

    def font(self, rgb: str) -> Any:
        if rgb not in self.fonts:
            self.fonts[rgb] = self._font(color=rgb, bold=True)
        return self.fonts[rgb]


def conditional(ws: Any, column: str, last_row: int, colours: dict[str, tuple[str, str]],
                styles: Styles) -> None:
    """One 'cell equals label' rule per label over the column's data rows."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font

    if last_row < 2:
        return
    ref = f"{column}2:{column}{last_row}"
    for text, (fill, font) in colours.items():
        quoted = '"' + text.replace('"', '""') + '"'
        ws.conditional_formatting.add(ref, CellIsRule(
            operator="equal", formula=[quoted], fill=styles.fill(fill),
            font=Font(color=font, bold=True)))


def scale(ws: Any, column: str, last_row: int, low: float, high: float) -> None:
    """Red (low) → amber → green (high) over a score column."""
    from openpyxl.formatting.rule import ColorScaleRule

    if last_row >= 2:
        ws.conditional_formatting.add(f"{column}2:{column}{last_row}", ColorScaleRule(
            start_type="num", start_value=low, start_color="F8C4C0",
            mid_type="num", mid_value=(low + high) * 0.6, mid_color="FFE5B4",
            end_type="num", end_value=high, end_color="C8E6C9"))


def bar(ws: Any, column: str, last_row: int, high: float) -> None:
    """A data bar over a CVSS or risk-value column (0 … high)."""
    from openpyxl.formatting.rule import DataBarRule

    if last_row >= 2:
        ws.conditional_formatting.add(f"{column}2:{column}{last_row}", DataBarRule(
            start_type="num", start_value=0, end_type="num", end_value=high, color="E07B00"))


def print_setup(ws: Any, header: str, footer: str) -> None:
    """A4 landscape, fit to one page wide, header row on every page, page numbers."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4 (openpyxl: Worksheet.PAPERSIZE_A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    # a new object: write-only sheets drop an attribute set on the default one
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = header.replace("&", "&&")
    ws.oddFooter.center.text = footer  # &P / &N are Excel's page fields
