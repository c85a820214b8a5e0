"""Every command's terminal output at 80 and 120 columns (issue 13): legible at 80, using the
width at 120, no cell cut into more than three lines (tests/cli/legible.py says how that is
measured on the printed text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from legible import assert_legible, visible
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
HOSTS = REPO / "tests" / "fixtures" / "hosts"
WEAK, HARDENED = HOSTS / "weak", HOSTS / "hardened"
EXAMPLE = REPO / "examples" / "smart-city-portal"
SCANS = sorted((EXAMPLE / "scans").iterdir())


class Recorder:
    """Runs the CLI in-process at a given width and keeps the layout of every table drawn."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from cityguard.cli import console

        self.plans: list = []
        draw = console.table

        def table(*args, **kwargs):
            layout = draw(*args, **kwargs)
            self.plans.append(layout)
            return layout

        monkeypatch.setattr(console, "table", table)

    def __call__(self, width: int, *args: str):
        from cityguard.cli import app

        self.plans = []
        res = CliRunner().invoke(app, list(args), env={"COLUMNS": str(width)},
                                 catch_exceptions=False)
        return res


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A store with two runs and imported scans, shared by the rendering tests."""
    from cityguard.cli import app

    root = tmp_path_factory.mktemp("terminal")
    store = str(root / "store.db")
    runner = CliRunner()
    for target in (WEAK, HARDENED):
        res = runner.invoke(app, ["assess", "--target", f"dir:{target}", "--store", store,
                                  "--name", "portal", "--output", str(root / target.name)])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["scans", "import", *map(str, SCANS), "--store", store])
    assert res.exit_code == 0, res.output
    runs = [r["run_id"] for r in
            (json.loads((root / t.name / "assessment.json").read_text()) for t in (WEAK,
                                                                                   HARDENED))]
    bad = root / "not-a-scan.xml"
    bad.write_text("<x/>")
    return {"root": str(root), "store": store, "a": runs[0], "b": runs[1], "bad": str(bad)}


def commands(w: dict[str, str]) -> dict[str, list[str]]:
    store = ["--store", w["store"]]
    return {
        "assess": ["assess", "--target", f"dir:{WEAK}", "--target", f"dir:{HARDENED}",
                   "--no-store", "--output", str(Path(w["root"]) / "out")],
        "assess en": ["assess", "--target", f"dir:{WEAK}", "--no-store", "--lang", "en",
                      "--output", str(Path(w["root"]) / "out-en")],
        "gate blocked": ["gate", "--manifest", str(EXAMPLE / "cityguard.yaml"), "--stage",
                         "deploy", "--today", "2027-09-01"],
        "gate passed en": ["gate", "--manifest", str(EXAMPLE / "cityguard.yaml"), "--stage",
                           "deploy", "--today", "2025-09-01", "--lang", "en"],
        "scans import": ["scans", "import", *map(str, SCANS), w["bad"], *store],
        "scans formats": ["scans", "formats"],
        "scans history": ["scans", "history", *store],
        "catalog": ["catalog"],
        "catalog en": ["catalog", "--lang", "en", "--ext", "cloud"],
        "catalog show": ["catalog", "show", "L3-CES1-01"],
        "catalog coverage": ["catalog", "--coverage"],
        "checks list": ["checks", "list"],
        "checks show": ["checks", "show", "ssh.sshd.host_keys_mode", "--lang", "en"],
        "findings list": ["findings", "list", *store],
        "findings show": ["findings", "show", "1", *store],
        "report diff": ["report", "diff", w["a"], w["b"], *store],
        "grade": ["grade", "--info", "social:serious", "--service", "citizens:serious"],
        "validate": ["validate", str(EXAMPLE / "cityguard.yaml")],
        "version": ["version"],
    }


NAMES = list(commands({"root": "", "store": "", "a": "", "b": "", "bad": ""}))


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", NAMES)
def test_every_command_is_legible(world, monkeypatch, name: str, width: int) -> None:
    record = Recorder(monkeypatch)
    res = record(width, *commands(world)[name])
    assert res.exit_code in (0, 1, 2), res.output
    assert (res.stdout + res.stderr).strip(), f"{name}: printed nothing"
    # stdout is laid out for the width; messages on stderr are single lines when stderr is
    # not a terminal (CI logs), and wrapped by cells in one (tests/cli/test_tty.py)
    assert_legible(res.stdout, record.plans, width)


def test_the_width_is_used_at_120(world, monkeypatch) -> None:
    """What is stacked or dropped at 80 comes back as table columns at 120."""
    record = Recorder(monkeypatch)
    args = commands(world)["gate blocked"]
    record(80, *args)
    assert [p.kind for p in record.plans] == ["stacked"]
    record(120, *args)
    assert [(p.kind, p.columns) for p in record.plans] == [("table", [0, 1, 2, 3])]
    args = commands(world)["assess en"]
    record(80, *args)
    assert record.plans[0].dropped == [1]  # the class name column gives way first
    record(120, *args)
    assert record.plans[0].dropped == []


def test_assess_ends_with_what_an_officer_acts_on(world, monkeypatch) -> None:
    record = Recorder(monkeypatch)
    res = record(80, "assess", "--target", f"dir:{WEAK}", "--no-store", "--top", "3",
                 "--output", str(Path(world["root"]) / "top"))
    assert res.exit_code == 0, res.output
    out = visible(res.stdout)
    doc = json.loads((Path(world["root"]) / "top" / "assessment.json").read_text())
    summary = doc["summary"]
    # the conclusion and rate, then the formula under it
    label = {"compliant": "符合", "basically_compliant": "基本符合", "non_compliant": "不符合"}
    assert f"结论：{label[summary['conclusion']]}；" in out
    assert f"符合率 {summary['compliance_rate']:.1f}%" in out and "适用项数" in out
    # the open high-risk issues by name
    open_risks = [h for h in doc["high_risks"] if h["status"] == "open"]
    assert f"待整改的高风险问题 {len(open_risks)} 项" in out
    for h in open_risks:
        assert h["case_id"] in out
    # the worst failed checks first, --top 3 of them, with asset and remedy
    failed = [r for r in doc["results"] if r["status"] == "fail" and not r.get("waived")]
    worst = max(failed, key=lambda r: ["info", "low", "medium", "high", "critical"]
                .index(r["severity"]))
    assert f"未通过的检查 {len({r['check_id'] for r in failed})} 项" in out
    assert worst["check_id"] in out and "显示前 3 项" in out
    table = record.plans[1]
    assert len(table.cells) == 3 and "weak" in str(table.cells)
    # what was not checked, each with how to close the gap, and where the report went
    assert "未检查的内容（不计为符合）" in out and "--answers" in out
    assert "已写入" in res.stderr and "top/assessment.json" in res.stderr
    assert out.index("结论") < out.index("高风险问题") < out.index("未通过的检查") \
        < out.index("未检查的内容")


def test_scans_import_puts_the_reason_next_to_its_file(world, monkeypatch) -> None:
    record = Recorder(monkeypatch)
    res = record(80, *commands(world)["scans import"])
    assert res.exit_code == 2
    (table,) = record.plans
    failed = next(row for row in table.cells if row[0][0].startswith(world["bad"][:10])
                  or "not-a-scan.xml" in "".join(row[0]))
    assert "✗ not a recognised scan" in " ".join(failed[0])
    assert "error: " + world["bad"] in res.stderr  # and one line per refused file for CI logs
