"""Agreement with an assessor's answer key cannot silently regress (issue 11).

tests/assets/fidelity/<root>/ are the fidelity roots of benchmarks/fidelity/ reduced to the
files the check library reads (reduce_root.py); the keys are benchmarks/fidelity/keys/, one
verdict per L3-CES1 item a host's files decide, written from the requirement. Each root is
assessed as a user would (`cityguard assess --target dir:…`) and compared with its key: at
least 90 % agreement, no keyed item left 未测评, nothing shown 符合 without decisive evidence.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "tests" / "assets" / "fidelity"
ROOTS = ("hardened", "weak", "openeuler")
MIN_AGREEMENT = 90.0


def _agreement():
    """benchmarks/fidelity/agreement.py: the same comparison the benchmark prints."""
    if "fidelity_agreement" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "fidelity_agreement", REPO / "benchmarks" / "fidelity" / "agreement.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["fidelity_agreement"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["fidelity_agreement"]


def _materialise(name: str, tmp: Path) -> Path:
    """A copy of the reduced root with the permission bits git does not keep."""
    copy = tmp / name
    shutil.copytree(ASSETS / name, copy, symlinks=True)
    modes = yaml.safe_load((ASSETS / f"{name}.modes.yaml").read_text("utf-8")) or {}
    for rel, mode in modes.items():
        (copy / rel).chmod(int(mode, 8))
    return copy


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, Path]]:
    from typer.testing import CliRunner

    from cityguard.cli import app

    tmp = tmp_path_factory.mktemp("fidelity")
    out: dict[str, tuple[dict, Path]] = {}
    for name in ROOTS:
        root = _materialise(name, tmp / "roots")
        report = tmp / name
        res = CliRunner().invoke(app, ["assess", "--target", f"dir:{root}", "--level", "3",
                                       "--no-store", "--format", "json,md,html,xlsx",
                                       "--output", str(report)], catch_exceptions=False)
        assert res.exit_code in (0, 1), res.output
        out[name] = (json.loads((report / "assessment.json").read_text("utf-8")), report)
    return out


@pytest.mark.parametrize("name", ROOTS)
def test_agreement_with_the_answer_key(assessed, name: str) -> None:
    agreement = _agreement()
    doc, _ = assessed[name]
    outcome = agreement.compare(name, doc, agreement.load_key(name))
    assert outcome.total >= 20
    assert outcome.percent >= MIN_AGREEMENT, agreement.report(outcome)
    assert outcome.undecided == [], agreement.report(outcome)
    assert outcome.unchecked_compliant == [], agreement.report(outcome)


def test_hardened_is_mostly_compliant_and_weak_fails_where_the_key_says(assessed) -> None:
    agreement = _agreement()
    hardened = {i["unit_id"]: i["verdict"] for i in assessed["hardened"][0]["items"]}
    keyed = agreement.load_key("hardened")
    assert sum(hardened[u] == "compliant" for u in keyed) >= 0.8 * len(keyed)
    weak = {i["unit_id"]: i["verdict"] for i in assessed["weak"][0]["items"]}
    wanted = [u for u, k in agreement.load_key("weak").items() if k["verdict"] == "non_compliant"]
    assert sum(weak[u] == "non_compliant" for u in wanted) >= 0.9 * len(wanted)


def test_the_reports_show_the_reasoning_per_item(assessed) -> None:
    """Which checks decided an item, which are advice only, which questions are open: in the
    JSON, and in the per-item detail of the Markdown, HTML and XLSX reports."""
    doc, report = assessed["hardened"]
    item = next(i for i in doc["items"] if i["unit_id"] == "L3-CES1-06")
    (obj,) = item["objects"]
    assert obj["decided_by"] and obj["needs_confirmation"] and item["needs_confirmation"]
    assert obj["open_questions"][0]["check_id"] == "linux.manual.default_passwords_changed"
    question = obj["open_questions"][0]["question_zh"]
    assert "ssh.sshd.root_login_disabled" in obj["advisory"]
    md = (report / "assessment.md").read_text("utf-8")
    html = (report / "assessment.html").read_text("utf-8")
    for text in (md, html):
        assert "决定性检查" in text and "待人工确认" in text and question[:20] in text
        assert "linux.accounts.no_default_or_shared_names" in text
    assert "建议性检查（不影响判定）" in html
    rows = [[c.value for c in r] for sheet in openpyxl.load_workbook(
        report / "assessment.xlsx").worksheets for r in sheet.iter_rows()]
    header = next(r for r in rows if "决定性检查" in r)
    row = next(r for r in rows if "L3-CES1-06" in r)
    assert "linux.accounts.no_default_or_shared_names" in row[header.index("决定性检查")]
    assert question[:20] in row[header.index("待人工确认的问题")]
