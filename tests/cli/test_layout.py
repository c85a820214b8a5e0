"""Text by terminal cells and table layouts: the pure parts of cli/_text.py and cli/_layout.py."""

from __future__ import annotations

import os

import pytest

from cityguard.cli._layout import Col, border_width, plan
from cityguard.cli._text import cell_width, clip, short_path, truncate, wrap


def test_chinese_takes_two_cells_and_lines_fit_by_cells():
    assert cell_width("等级保护 2.0") == 12
    text = "cityguard: MLPS 2.0 (等级保护 2.0) assessment, scanner import, scoring, reports"
    for width in (20, 33, 40, 78):
        lines = wrap(text, width)
        assert all(cell_width(line) <= width for line in lines), lines
        assert any("等级保护" in line for line in lines)  # a short term is never split


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("evidence/07-code-audit.md：已 773 天", 30, ["evidence/07-code-audit.md：已", "773 天"]),
    ("/work/main/examples/smart-city-portal/scans/web01.nessus", 30,
     ["/work/main/examples/", "smart-city-portal/scans/", "web01.nessus"]),
    ("再次发现", 6, ["再次", "发现"]),  # a folded term is cut evenly
    ("第二级及以上：需专家评审、主管部门审核", 14,
     ["第二级及以上：", "需专家评审、主", "管部门审核"]),
    ("a\nb", 10, ["a", "b"]),
])
def test_where_lines_break(text, width, expected):
    assert wrap(text, width) == expected


def test_punctuation_stays_with_its_word():
    lines = wrap("上线前委托或组织安全测试（含密码应用测试），整改全部高风险问题", 12)
    assert not any(line.startswith(("，", "）", "。")) for line in lines)
    assert not any(line.endswith("（") for line in lines)


def test_clip_and_truncate_mark_what_was_cut():
    lines, cut = clip(["one two", "three four", "five six", "seven"], 2, 10)
    assert cut and lines == ["one two", "three four"[:9] + "…"]
    assert clip(["a", "b"], 3, 10) == (["a", "b"], False)
    assert truncate("安全计算环境", 7) == "安全计…" and cell_width(truncate("安全计算环境", 7)) <= 7


def test_short_path_is_relative_below_the_working_directory(tmp_path):
    inner = tmp_path / "scans" / "web01.nessus"
    assert short_path(inner, cwd=str(tmp_path)) == os.path.join("scans", "web01.nessus")
    assert short_path("/elsewhere/x.json", cwd=str(tmp_path)) == "/elsewhere/x.json"
    assert short_path("ssh://ops@host:22") == "ssh://ops@host:22"


def _table_width(p) -> int:
    return sum(p.widths) + border_width(len(p.widths))


ROWS = [["plan.grading_report\n定级报告", "通过",
         "evidence/01-grading-report.md（2025-01-10，审批人 王建国）", ""],
        ["deploy.findings\n无未豁免的达到阈值的问题", "未通过",
         "3 项达到 high 及以上且未豁免：" + "check x @ web01 [high]; " * 8,
         "修复列出的问题；确需接受的风险，在 waivers 中登记原因、审批人、到期日和补偿措施。"]]
COLS = [Col("规则", heading=True), Col("状态"), Col("说明", clip=True, min_width=28),
        Col("整改建议", clip=True, min_width=28)]


def test_a_wide_terminal_gets_a_table_that_uses_the_width():
    p = plan(COLS, ROWS, 120)
    assert p.kind == "table" and p.columns == [0, 1, 2, 3]
    assert _table_width(p) <= 120 and p.height() <= 3
    assert p.clipped == 1  # the long finding is cut at three lines (…), the rest is whole


def test_a_narrow_terminal_gets_stacked_records_instead_of_slivers():
    p = plan(COLS, ROWS, 80)
    assert p.kind == "stacked"
    assert p.height() <= 3
    assert all(cell_width(line) <= 80 for row in p.cells for cell in row for line in cell)


def test_secondary_columns_go_first_and_only_when_that_saves_lines():
    cols = [Col("class"), Col("class name", drop=1), Col("control point"), Col("pass")]
    rows = [["CES", "Computing environment security", "Identity authentication", "18"],
            ["SMC", "Security management centre", "Centralised management and control", "5"]]
    assert plan(cols, rows, 120).columns == [0, 1, 2, 3]
    narrow = plan(cols, rows, 50)
    assert narrow.kind == "table" and narrow.dropped == [1] and narrow.height() <= 2


def test_verbose_never_cuts():
    p = plan(COLS, ROWS, 120, max_lines=None)
    assert p.clipped == 0 and p.height() > 3
