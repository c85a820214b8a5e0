"""`cityguard report` and `cityguard report diff`: stored runs, files, formats, errors."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_sample import build_sample  # noqa: E402

from cityguard.model.serialize import assessment_to_dict  # noqa: E402


def _doc(run_id: str, created: str, rate: float) -> dict:
    a = build_sample(history=False)
    a = replace(a, run_id=run_id, created=created,
                summary=replace(a.summary, compliance_rate=rate, score=rate))
    return assessment_to_dict(a)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A real SQLite store with three runs of the sample system."""
    from cityguard.store import open_store

    path = tmp_path / "store.db"
    with open_store(path) as st:
        st.save_run(_doc("run-1", "2024-11-10T09:00:00+08:00", 42.0))
        st.save_run(_doc("run-2", "2025-02-10T09:00:00+08:00", 47.5))
        st.save_run(_doc("run-3", "2025-05-10T09:00:00+08:00", 51.4))
    return path


def test_latest_in_several_formats_with_the_trend(cityguard_proc, store, tmp_path):
    out = tmp_path / "out"
    p = cityguard_proc("report", "latest", "--format", "html,json,csv", "--store", str(store),
                       "--output", str(out))
    assert p.returncode == 0, p.stderr
    assert sorted(f.name for f in out.iterdir()) == ["assessment.html", "assessment.json",
                                                     "findings.csv", "items.csv"]
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert doc["run_id"] == "run-3"
    assert [h["run_id"] for h in doc["history"]] == ["run-1", "run-2"]  # from the store
    html = (out / "assessment.html").read_text(encoding="utf-8")
    assert 'id="chart-trend"' in html and "2024-11-10" in html
    assert "assessment.html" in p.stderr  # what was written is said
    assert not list(out.glob(".*.tmp"))  # no temporary file left behind


def test_default_subcommand_and_run_id(cli, store, tmp_path):
    target = tmp_path / "r.md"
    res = cli("report", "run-1", "--format", "md", "--lang", "en", "--store", str(store),
              "--output", str(target))
    assert res.exit_code == 0, res.output
    text = target.read_text(encoding="utf-8")
    assert "# MLPS 2.0 Assessment Report" in text and "42.0%" in text
    res = cli("report", "render", "run-2", "--format", "json", "--store", str(store),
              "--output", "-")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["run_id"] == "run-2"


def test_input_file_without_a_store(cli, tmp_path):
    src = tmp_path / "a.json"
    src.write_text(json.dumps(assessment_to_dict(build_sample()), ensure_ascii=False),
                   encoding="utf-8")
    res = cli("report", "--input", str(src), "--format", "all", "--output",
              str(tmp_path / "all"))
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "all").iterdir())) == 10  # every format, pdf included
    assert not (tmp_path / "store.db").exists()  # reading a file creates no store


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "latest", "--format", "docx"], "unknown report format 'docx'"),
        (["report", "nope"], "no stored run 'nope'"),
        (["report", "latest", "--lang", "fr"], "--lang must be zh or en"),
        (["report", "latest", "--format", "xlsx", "--output", "-"], "exactly one text format"),
        (["report", "diff", "run-1", "run-2", "--format", "pdf"], "--format must be one of"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(cityguard_proc, store, args, words):
    p = cityguard_proc(*args, "--store", str(store))
    assert p.returncode == 2, p.stderr
    assert words in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_a_broken_file_names_the_file(cityguard_proc, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"run_id": "x",', encoding="utf-8")
    p = cityguard_proc("report", str(bad), "--format", "html", "--output", str(tmp_path / "o"))
    assert p.returncode == 2
    assert "broken.json" in p.stderr and "invalid JSON" in p.stderr
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    p = cityguard_proc("report", str(other))
    assert p.returncode == 2 and "not an Assessment document" in p.stderr


def test_diff_in_the_terminal_and_as_files(cli, store, tmp_path):
    from cityguard.store import open_store

    later = build_sample(history=False)
    items = [replace(i, verdict="compliant") if i.unit_id == "L3-CES1-01" else i
             for i in later.items]
    with open_store(store) as st:
        st.save_run(assessment_to_dict(replace(later, run_id="run-4", items=items,
                                               created="2025-08-10T09:00:00+08:00")))
    res = cli("report", "diff", "run-3", "latest", "--store", str(store))
    assert res.exit_code == 0, res.output
    assert "改善的测评项" in res.stdout and "L3-CES1-01" in res.stdout
    target = tmp_path / "diff.html"
    res = cli("report", "diff", "run-3", "run-4", "--format", "html", "--lang", "en",
              "--output", str(target), "--store", str(store))
    assert res.exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert "Items that got better" in html and "L3-CES1-01" in html
    res = cli("report", "diff", "run-4", "run-4", "--format", "json", "--store", str(store))
    assert json.loads(res.stdout)["items_better"] == []


def test_help_lists_both_subcommands(cli):
    res = cli("report", "--help")
    assert res.exit_code == 0
    assert "render" in res.stdout and "diff" in res.stdout
