"""The assessor's workbook (XLSX, openpyxl).

Sheets (zh / en, names from messages.yaml `report.sheet_*`): 概要 Summary · 测评结果记录 Item
results (one row per item and object) · 问题清单 Issues · 整改清单 Remediation · 风险登记表 Risk
register · 发现清单 Findings · 检查结果 Check results. Every sheet has a frozen header row, an
autofilter, column widths that fit Chinese text (a CJK character counts two), verdict /
severity / status colours with conditional formatting, and an A4 landscape print setup
(render/_xlsx_style.py). Numbers stay numbers. Written in openpyxl's write-only mode so
100,000 findings stay fast. A cell that starts with = + - @ tab or CR is stored as text with
Excel's quote prefix, never a formula (core/csvsafe.py), and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

from cityguard.core.csvsafe import formula_like
from cityguard.model import Assessment
from cityguard.render import _rows, _xlsx_style, i18n
from cityguard.render.base import register


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name key, rows, and how its columns look (0-based column indexes)."""

    name: str  # report.sheet_<name>
    rows: Callable[[Assessment, str], _rows.Table]
    wrap: frozenset[int] = frozenset()
    colours: tuple[tuple[int, tuple[str, ...]], ...] = ()  # column → enum groups it shows
    scales: tuple[tuple[int, float, float], ...] = ()  # column → (low, high) colour scale
    bars: tuple[tuple[int, float], ...] = ()  # column → data bar up to this value


SHEETS = (
    Sheet("items", _rows.item_rows, frozenset({9, 10, 18}),
          ((6, ("verdict",)), (7, ("verdict",)), (11, ("verdict",))), ((12, 0.0, 1.0),)),
    Sheet("issues", _rows.issue_rows, frozenset({4, 6}),
          ((5, ("verdict", "high_risk_status")),)),
    Sheet("remediation", _rows.remediation_rows, frozenset({1, 3}), ((2, ("risk_level",)),)),
    Sheet("risks", _rows.risk_rows, frozenset({7, 11}), ((2, ("risk_level",)),), (),
          ((3, 25.0),)),
    Sheet("findings", _rows.sheet_finding_rows, frozenset({11, 12}),
          ((2, ("severity",)), (7, ("finding_status",))), (), ((3, 10.0),)),
    Sheet("results", _rows.result_rows, frozenset({6, 8}),
          ((3, ("status",)), (4, ("severity",)))),
)
MAX_WIDTH = 60
WIDTH_SAMPLE = 500  # rows looked at to size the columns
MAX_CELL = 32000  # Excel's limit is 32,767 characters


def text_width(text: str) -> int:
    """Display width of the longest line: East Asian wide and full-width characters count 2."""
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.splitlines() or [""]), default=0)


class _Writer:
    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = Workbook(write_only=True)
        self.illegal = ILLEGAL_CHARACTERS_RE
        self.head_font = Font(bold=True)
        self.head_fill = PatternFill("solid", fgColor="E8EDF3")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.styles = _xlsx_style.Styles()

    def clean(self, value: Any) -> Any:
        if isinstance(value, str):
            value = self.illegal.sub("", value)
            return value if len(value) <= MAX_CELL else value[:MAX_CELL] + " …"
        return value

    def cell(self, ws: Any, value: Any, wrap: bool = False,
             colours: tuple[str, str] | None = None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        value = self.clean(value)
        formula = formula_like(value)
        if not wrap and not formula and colours is None:
            return value
        c = WriteOnlyCell(ws, value)
        if colours is not None:
            c.fill, c.font = self.styles.fill(colours[0]), self.styles.font(colours[1])
        if isinstance(value, str):
            c.data_type = "s"  # "=…" from a scanner is text, never a formula
        if formula:  # = + - @ tab CR: Excel's own apostrophe, so an edit keeps it text too
            c.quotePrefix = True
        if wrap:
            c.alignment = self.wrap
        return c

    def sheet(self, title: str, headers: list[str], rows: Iterable[list[Any]],
              spec: Sheet, lang: str, header: str, footer: str) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        wrap = spec.wrap
        palettes = {col: _xlsx_style.palette(groups, lang) for col, groups in spec.colours}
        rows_it: Iterator[list[Any]] = iter(rows)
        sample = list(itertools.islice(rows_it, WIDTH_SAMPLE))
        for i, h in enumerate(headers):
            w = max([text_width(h)] + [text_width(str(r[i])) for r in sample if r[i] is not None])
            ws.column_dimensions[get_column_letter(i + 1)].width = min(MAX_WIDTH, w + 2)
        ws.freeze_panes = "A2"
        _xlsx_style.print_setup(ws, header, footer)  # sheet properties go before the rows
        head = []
        for h in headers:
            c = WriteOnlyCell(ws, h)
            c.font, c.fill, c.alignment = self.head_font, self.head_fill, self.wrap
            head.append(c)
        ws.append(head)
        n = 1
        for r in itertools.chain(sample, rows_it):
            ws.append([self.cell(ws, v, i in wrap, palettes[i].get(v) if i in palettes else None)
                       for i, v in enumerate(r)])
            n += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n}"
        for col, colours in palettes.items():
            _xlsx_style.conditional(ws, get_column_letter(col + 1), n, colours, self.styles)
        for col, low, high in spec.scales:
            _xlsx_style.scale(ws, get_column_letter(col + 1), n, low, high)
        for col, high in spec.bars:
            _xlsx_style.bar(ws, get_column_letter(col + 1), n, high)


def _summary_rows(a: Assessment, lang: str) -> list[list[Any]]:
    t = i18n.translator(lang)
    s = a.summary
    rows: list[list[Any]] = [
        [t("system"), a.system.name], [t("level"), a.system.level], [t("grade"), a.system.grade],
        [t("extensions"), t("list_sep").join(i18n.enum_label(i18n.EXTENSION, x, lang)
                                             for x in a.system.extensions)
         or t("extensions_none")],
        [t("run_id"), a.run_id], [t("created"), a.created],
        [t("tool_version"), f"cityguard {a.tool_version}"],
    ]
    if s is None:
        return [*rows, [t("conclusion"), t("not_scored")]]
    rows += [
        [t("conclusion"), i18n.enum_label(i18n.CONCLUSION, s.conclusion, lang)],
        [t("compliance_rate"), s.compliance_rate],
        [t("formula"), i18n.pick(s.rate_formula or s.score_formula,
                                 s.rate_formula_en or s.score_formula_en, lang)],
        [t("score"), s.score], [t("formula"), i18n.pick(s.score_formula, s.score_formula_en, lang)],
        [t("major_hidden_risk"), t("present") if s.major_hidden_risk else t("absent")],
        [t("mlps_high_risks"), len(a.high_risks)],
        [t("high_risk_count"), s.high_risk_counts.get("open", 0)],
        [t("applicable_items"), s.applicable_items],
    ]
    rows += [[i18n.verdict(k, lang), s.counts.get(k, 0)] for k in i18n.VERDICT_ORDER]
    rows += [[t("method_not_checked"), i18n.say(line, lang)] for line in s.not_checked]
    return rows


@register
class XlsxRenderer:
    name: ClassVar[str] = "xlsx"
    extension: ClassVar[str] = "xlsx"
    filename: ClassVar[str] = "assessment.xlsx"
    binary: ClassVar[bool] = True
    description: ClassVar[str] = "assessor's workbook: item results, issues, remediation, risks"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        w = _Writer()
        t = i18n.translator(lang)
        footer = t("xlsx_footer")

        def title(key: str) -> str:
            return t(f"sheet_{key}")

        def header(key: str) -> str:
            return t("xlsx_header", system=assessment.system.name, sheet=title(key))

        summary = Sheet("summary", lambda a, lg: ([], iter(())), frozenset({1}))
        w.sheet(title("summary"), [t("field"), t("value")], _summary_rows(assessment, lang),
                summary, lang, header("summary"), footer)
        for spec in SHEETS:
            headers, rows = spec.rows(assessment, lang)
            w.sheet(title(spec.name), headers, rows, spec, lang, header(spec.name), footer)
        w.wb.save(out)
