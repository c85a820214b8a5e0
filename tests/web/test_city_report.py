"""`cityguard report city` through the real CLI on both store backends: the four formats,
private files, the same figures as the dashboard, hostile names kept as text."""

from __future__ import annotations

import re
import stat
import subprocess
import sys

import pytest

from conftest import HOSTILE_DEPARTMENT, HOSTILE_SYSTEM, PORTAL, seed


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory):
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("city") / "cg.db")
    else:
        url = request.getfixturevalue("web_pg").new_database()
    seed(url)
    return url


def _report(store: str, out, *fmt: str, lang: str = "zh") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cityguard", "report", "city", "--format",
                           ",".join(fmt), "--output", str(out), "--lang", lang, "--store",
                           store], capture_output=True, text=True, timeout=300, check=False)


def test_city_report_in_every_format(seeded, tmp_path):
    out = tmp_path / "月报"
    p = _report(seeded, out, "html", "xlsx", "md", "pdf")
    assert p.returncode == 0, p.stderr
    files = {f.name: f for f in out.iterdir()}
    assert set(files) == {"city-report.html", "city-report.xlsx", "city-report.md",
                          "city-report.pdf"}
    for f in files.values():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700

    html = files["city-report.html"].read_text("utf-8")
    assert "全市网络安全等级保护工作情况报告" in html and PORTAL in html
    assert "default-src 'none'" in html and "<script" not in html.lower()
    assert "&lt;script&gt;document.title=" in html  # the hostile system name, as text
    assert "需要处置的系统" in html and "按单位" in html and "编制人" in html

    md = files["city-report.md"].read_text("utf-8")
    assert "| 系统 | 单位 | 测评结论 | 下次测评 | 原因 |" in md
    assert "\\<script" in md and not re.search(r"(?<!\\)<", md)  # no tag can open

    from openpyxl import load_workbook

    wb = load_workbook(files["city-report.xlsx"])
    assert wb.sheetnames[0] == "概览" and "按单位" in wb.sheetnames
    departments = [r[0] for r in wb["按单位"].iter_rows(min_row=2, values_only=True)]
    assert "市大数据局" in departments and HOSTILE_DEPARTMENT in departments
    systems = [r[0] for r in wb["全部定级系统"].iter_rows(min_row=2, values_only=True)]
    assert set(systems) == {PORTAL, HOSTILE_SYSTEM[:200]}

    from pypdf import PdfReader

    pdf = PdfReader(str(files["city-report.pdf"]))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= 2
    assert "全市网络安全等级保护工作情况报告" in text and "批准人" in text


def test_english_and_bad_format(seeded, tmp_path):
    p = _report(seeded, tmp_path / "en", "md", lang="en")
    assert p.returncode == 0, p.stderr
    assert "# City MLPS posture report" in (tmp_path / "en" / "city-report.md").read_text()
    bad = _report(seeded, tmp_path / "x", "docx")
    assert bad.returncode == 2 and "docx" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x").exists()
