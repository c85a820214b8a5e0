"""Markdown, XLSX and CSV: same content, escaped, complete, and secrets stay redacted."""

from __future__ import annotations

import csv
import io
import re

import pytest
from render_sample import MASKED, SECRET, unscored

from cityguard import render

# --- Markdown --------------------------------------------------------------------------------


def _md(a, lang="zh") -> str:
    return render.render_bytes(a, "md", lang=lang).decode("utf-8")


def _cells(line: str) -> int:
    """Cells of a table row: pipes not escaped with a backslash."""
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def test_markdown_sections_and_numbers(sample):
    text = _md(sample)
    for title in ("一、测评结论摘要", "二、被测系统与测评范围", "三、测评方法与覆盖情况",
                  "四、测评结果", "五、高风险问题", "六、风险登记表", "七、漏洞与发现",
                  "八、整改建议", "九、豁免及有效期", "十、历次测评趋势"):
        assert f"## {title}" in text
    assert "**不符合**" in text and "51.4%" in text
    assert "(3 + 1.25) / 8 × 100" in text
    assert "## 1. Executive summary" in _md(sample, "en")


def test_markdown_escapes_markup_and_keeps_tables_whole(sample):
    text = _md(sample)
    fenced = re.findall(r"^ *(`{3,})text\n.*?^ *\1$", text, re.S | re.M)
    assert fenced  # evidence sits in code blocks, where markup is literal text
    prose = re.sub(r"^ *(`{3,})text\n.*?^ *\1$", "", text, flags=re.S | re.M)
    # no tag can open: every < is Markdown-escaped, and the raw file stays readable
    assert not re.search(r"(?<!\\)<(script|img|svg)", prose)
    assert "\\<script>" in prose and "&lt;" not in prose
    table: int | None = None
    for line in text.splitlines():
        if line.startswith("|"):
            n = _cells(line)
            table = n if table is None else table
            assert n == table, line  # no cell split by a pipe from the data
        else:
            table = None


def test_markdown_code_blocks_cannot_be_closed_by_the_data(sample):
    from cityguard.render._templates import md_code

    block = md_code("x ``` y\n````\nz")
    fence = block.split("text", 1)[0]
    assert len(fence) == 5 and block.endswith("\n" + fence)


# --- XLSX ------------------------------------------------------------------------------------


def _workbook(a, lang="zh"):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(render.render_bytes(a, "xlsx", lang=lang)))


def test_xlsx_sheets_rows_and_layout(sample):
    wb = _workbook(sample)
    assert wb.sheetnames == ["概要", "测评结果记录", "问题清单", "整改清单", "风险登记表",
                             "发现清单", "检查结果"]
    objects = sum(len(i.objects) for i in sample.items)
    gaps = sum(1 for i in sample.items for o in i.objects
               if o.verdict in ("non_compliant", "partial", "not_assessed"))
    expected = {"测评结果记录": objects, "问题清单": len(sample.high_risks) + gaps,
                "风险登记表": len(sample.risks), "发现清单": len(sample.findings),
                "检查结果": len(sample.results)}
    for name, rows in expected.items():
        ws = wb[name]
        assert ws.max_row == rows + 1, name
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{rows + 1}"
        assert ws.cell(1, 1).font.b
    ws = wb["测评结果记录"]
    assert [c.value for c in ws[1]][:7] == ["安全类", "控制点", "测评项", "条款", "重要程度",
                                            "资产", "结果"]
    # a column of Chinese text is at least twice as wide as its character count
    longest = max(len(str(c.value or "")) for c in ws["B"])
    assert ws.column_dimensions["B"].width >= 2 * longest
    plan = wb["整改清单"]
    assert plan.cell(2, 1).value == 0 and "6.4.1.1" in plan.cell(2, 2).value  # high risks first
    priorities = [r[0].value for r in plan.iter_rows(min_row=2)]
    assert priorities == sorted(priorities)


def test_xlsx_english_and_formulas_stay_text(sample):
    wb = _workbook(sample, "en")
    assert wb.sheetnames[:3] == ["Summary", "Item results", "Issues"]
    ws = wb["Findings"]
    cells = [c for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)  # never a formula


def test_xlsx_of_an_unscored_run(sample):
    wb = _workbook(unscored(sample))
    assert wb["测评结果记录"].max_row == 1 and wb["检查结果"].max_row == len(sample.results) + 1


# --- CSV -------------------------------------------------------------------------------------


def _csv(a, name):
    data = render.render_bytes(a, name)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese text right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_findings_and_items(sample):
    rows = _csv(sample, "csv_findings")
    assert rows[0][:3] == ["fingerprint", "asset_key", "asset_kind"]
    assert len(rows) == len(sample.findings) + 1
    assert {r[0] for r in rows[1:]} == {f.fingerprint for f in sample.findings}
    items = _csv(sample, "csv_items")
    assert len(items) == sum(len(i.objects) for i in sample.items) + 1
    assert items[1][2] == "L3-CES1-01" and items[1][6] == "不符合"


def test_csv_cells_cannot_become_formulas(sample):
    for row in _csv(sample, "csv_findings")[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell
            if cell.startswith("-"):
                float(cell)  # only negative numbers may start with a minus


# --- secrets ---------------------------------------------------------------------------------


def _report_text(a, name, lang="zh") -> str:
    """Every text a format shows: workbook cells, the PDF's text layer, or the file itself."""
    if name == "xlsx":
        wb = _workbook(a, lang)
        return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    data = render.render_bytes(a, name, lang=lang)
    if name == "pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8")


@pytest.mark.parametrize("name", render.names())
def test_secrets_stay_redacted_in_every_format(sample, name):
    """Evidence arrives redacted (***); importer-private data (Finding.extra) is never shown."""
    text = _report_text(sample, name, "en")
    assert SECRET not in text
    if name != "csv_items":  # every format that carries evidence shows the mask
        assert MASKED in text
    assert any(SECRET in str(f.extra) for f in sample.findings)  # it was there to leak


def test_real_scanner_secrets_stay_redacted_in_every_format(sample, corpus):
    """gitleaks output read by the real importer: the leaked values never reach a report."""
    from dataclasses import replace

    from cityguard.ingest import read_file

    found = read_file(corpus / "gitleaks" / "gitleaks8_many.json").findings
    assert found
    a = replace(sample, findings=found)
    for name in render.names():
        text = _report_text(a, name)
        for leaked in ("secretAWSsecret", "BEGIN RSA PRIVATE KEY"):
            assert leaked not in text, (name, leaked)
