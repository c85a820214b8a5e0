"""The whole pipeline through `cityguard assess`: answers, scans into the store, history.

Issue 5's acceptance: every selected item answered compliant gives 100 % and 符合; a third
non_compliant gives 基本符合; half gives 不符合.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cityguard.policy.catalog import load_catalog, make_selection, select_items

HOSTS = Path(__file__).resolve().parents[1] / "fixtures" / "hosts"
HARDENED = HOSTS / "hardened"


def _answers(tmp_path: Path, non_compliant_share: float) -> Path:
    """Answers for every level-3 item; the first share of them non_compliant.

    211 items: a third → 70 non-compliant, rate = 141/211 = 66.8 % (60 ≤ rate ≤ 90: 基本符合);
    half → 105 non-compliant, rate = 106/211 = 50.2 % (< 60: 不符合); none → 211/211 = 100 %.
    """
    items = select_items(load_catalog(), make_selection(level=3))
    n_bad = int(len(items) * non_compliant_share)
    answers = {
        it.unit_id: {"verdict": "non_compliant" if n < n_bad else "compliant",
                     "assessor": "张三", "date": "2026-11-20", "note": "现场核查"}
        for n, it in enumerate(items)
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({"answers": answers}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("share", "conclusion", "zh"),
    [(0.0, "compliant", "符合"), (1 / 3, "basically_compliant", "基本符合"),
     (0.5, "non_compliant", "不符合")],
)
def test_answers_decide_the_conclusion(cli, tmp_path, share, conclusion, zh):
    out = tmp_path / "a.json"
    res = cli("assess", "--target", f"dir:{HARDENED}", "--answers", str(_answers(tmp_path, share)),
              "--output", str(out))
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text("utf-8"))
    s = doc["summary"]
    assert (s["conclusion"], s["conclusion_zh"]) == (conclusion, zh)
    if share == 0:
        assert s["compliance_rate"] == 100.0
    assert len(doc["items"]) == 211
    # a person has the last word, and the machine's verdict stays beside it
    overridden = [o for i in doc["items"] for o in i["objects"] if o["source"] == "answer"]
    assert overridden and all(o["answer"] for o in overridden)


def test_scans_join_the_run_and_are_tracked_in_the_store(cli, tmp_path, corpus):
    trivy = corpus / "trivy" / "scheme_2_many_vulns.json"
    if not trivy.exists():
        trivy = next((corpus / "trivy").glob("*.json"))
    nmap = corpus / "nmap" / "nmap_multiple_port.xml"
    store = tmp_path / "store.db"
    out1, out2 = tmp_path / "one.json", tmp_path / "two.json"
    args = ("assess", "--target", f"dir:{HARDENED}", "--scan", str(trivy), "--scan", str(nmap),
            "--store", str(store), "--name", "城市大脑")
    first = cli(*args, "--output", str(out1))
    assert first.exit_code == 0, first.output
    doc = json.loads(out1.read_text("utf-8"))
    assert doc["findings"] and all(f["unit_ids"] for f in doc["findings"]
                                   if f["severity"] in ("critical", "high"))
    assert {s["format"] for s in doc["scans"]} == {"trivy", "nmap"}
    assert all(s["new"] == s["findings"] for s in doc["scans"])
    assert doc["system"]["name"] == "城市大脑"
    second = cli(*args, "--output", str(out2))
    assert second.exit_code == 0
    doc2 = json.loads(out2.read_text("utf-8"))
    assert all(s["new"] == 0 and s["seen_again"] == s["findings"] for s in doc2["scans"])
    assert [h["run_id"] for h in doc2["history"]] == [doc["run_id"]]
    # the stored run renders again
    from cityguard.store import open_store

    with open_store(store) as st:
        assert st.load_run("latest", system="城市大脑")["run_id"] == doc2["run_id"]


def test_no_store_leaves_nothing_behind(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CITYGUARD_STORE")
    res = cli("assess", "--target", f"dir:{HARDENED}", "--no-store", "--output", "a.json")
    assert res.exit_code == 0
    assert not (tmp_path / ".cityguard").exists()
    res = cli("assess", "--target", f"dir:{HARDENED}", "--output", "b.json")
    assert (tmp_path / ".cityguard" / "cityguard.db").is_file()
