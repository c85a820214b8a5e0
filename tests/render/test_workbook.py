"""The workbook read back with openpyxl: colours, conditional formatting, print setup, numbers."""

from __future__ import annotations

import io

from cityguard import render
from cityguard.render._xlsx_style import COLOURS


def _workbook(a, lang="zh"):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(render.render_bytes(a, "xlsx", lang=lang)))


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_verdict_severity_and_status_cells_are_coloured(sample):
    wb = _workbook(sample)
    checks = [("测评结果记录", "结果", "verdict", {"符合": "compliant", "不符合": "non_compliant",
                                               "部分符合": "partial", "未测评": "not_assessed"}),
              ("发现清单", "严重程度", "severity", {"严重": "critical", "高危": "high",
                                                 "中危": "medium", "低危": "low", "信息": "info"}),
              ("检查结果", "状态", "status", {"通过": "pass", "未通过": "fail"}),
              ("风险登记表", "风险等级（GB/T 20984）", "risk_level", {"很高": "5", "高": "4"})]
    for sheet, header, group, labels in checks:
        ws = wb[sheet]
        col = _column(ws, header)
        seen = set()
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            if cell.value in labels:
                fill, font = COLOURS[group][labels[cell.value]]
                assert cell.fill.fgColor.rgb.endswith(fill), (sheet, cell.value)
                assert cell.font.color.rgb.endswith(font) and cell.font.b
                seen.add(cell.value)
        assert seen, (sheet, header)
        # the same colours as conditional formatting on the column
        letter = ws.cell(1, col).column_letter
        rules = [r for cf in ws.conditional_formatting for r in cf.rules
                 if str(cf.sqref).startswith(f"{letter}2:")]
        assert {r.formula[0].strip('"') for r in rules if r.type == "cellIs"} >= seen


def test_no_raw_values_in_the_chinese_findings_sheet(sample):
    ws = _workbook(sample)["发现清单"]
    severity = {c.value for (c,) in ws.iter_rows(min_row=2, min_col=3, max_col=3)}
    status = {c.value for (c,) in ws.iter_rows(min_row=2, min_col=8, max_col=8)}
    assert severity <= {"严重", "高危", "中危", "低危", "信息"}
    assert status <= {"未修复", "重新打开", "已修复", "已接受风险", "误报"}


def test_numbers_stay_numbers_with_scales_and_bars(sample):
    wb = _workbook(sample)
    summary = {r[0]: r[1] for r in wb["概要"].iter_rows(min_row=2, values_only=True)}
    assert summary["符合率"] == 51.4 and summary["等保高风险问题"] == 3
    findings = wb["发现清单"]
    cvss = [c.value for (c,) in findings.iter_rows(min_row=2, min_col=4, max_col=4)]
    assert all(isinstance(v, (int, float)) for v in cvss if v is not None) and 9.8 in cvss
    kinds = {r.type for cf in findings.conditional_formatting for r in cf.rules}
    assert "dataBar" in kinds
    items = wb["测评结果记录"]
    assert "colorScale" in {r.type for cf in items.conditional_formatting for r in cf.rules}
    scores = [c.value for (c,) in items.iter_rows(min_row=2, min_col=13, max_col=13)]
    assert any(isinstance(v, float) for v in scores)


def test_every_sheet_prints_on_a4_landscape_fit_to_width(sample):
    for lang in ("zh", "en"):
        wb = _workbook(sample, lang)
        for ws in wb:
            assert ws.page_setup.orientation == "landscape", ws.title
            assert int(ws.page_setup.paperSize) == 9  # A4
            assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.print_title_rows == "$1:$1"  # the header row on every printed page
            assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
            assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
            assert sample.system.name in ws.oddHeader.center.text
