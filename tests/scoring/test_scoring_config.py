"""Scoring configuration: built-in defaults, site overrides merged key by key, checked."""

from __future__ import annotations

import pytest
from scoring_helpers import item, real_items

from cityguard.core.errors import DataError
from cityguard.scoring import ScoringInput, evaluate, load_config, load_rules, load_threats


def _site(tmp_path, text: str, rel: str = "scoring/default.yaml"):
    path = tmp_path / "site" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return tmp_path / "site"


def test_builtin_defaults():
    cfg = load_config()
    assert cfg["template"] == "2025"
    assert cfg["weights"] == {"general": 1, "important": 2, "key": 3}
    assert cfg["conclusion_2025"]["compliant_above"] == 90
    assert cfg["risk"]["method"] == "matrix"


def test_site_file_overrides_only_its_keys(tmp_path):
    site = _site(tmp_path, "template: '2021'\ntemplate_2021:\n  focus_y: 0.7\n")
    cfg = load_config([site])
    assert cfg["template"] == "2021" and cfg["template_2021"]["focus_y"] == 0.7
    assert len(cfg["template_2021"]["grades"]) == 4  # untouched keys stay
    assert cfg["weights"]["key"] == 3


def test_environment_policies_dir_is_merged(tmp_path, monkeypatch):
    site = _site(tmp_path, "rate_decimals: 2\n")
    monkeypatch.setenv("CITYGUARD_POLICIES", str(site))
    assert load_config()["rate_decimals"] == 2
    # evaluate() without a config reads the same search path
    items = [item("L3-CES1-01"), item("L3-CES1-02"), item("L3-CES1-03")]
    out = evaluate(ScoringInput(items=items, answers={"L3-CES1-01": [{"verdict": "compliant"}]},
                                high_risk_rules=[], threats=load_threats()))
    assert out.summary.compliance_rate == 33.33


def test_bad_site_value_names_site_file_line_and_field(tmp_path):
    site = _site(tmp_path, "template: '2025'\nweights:\n  key: -1\n")
    with pytest.raises(DataError) as exc:
        load_config([site])
    assert exc.value.path.endswith("scoring/default.yaml") and "site" in exc.value.path
    assert (exc.value.line, exc.value.field) == (3, "weights.key")


def test_unknown_key_is_refused(tmp_path):
    site = _site(tmp_path, "templat: '2021'\n")
    with pytest.raises(DataError, match="templat"):
        load_config([site])


def test_site_rules_and_threats_replace_the_builtin_files(tmp_path):
    site = _site(tmp_path, "rules:\n  - case: '6.4.1.1'\n    when: {check: {id: 'x.*'}}\n",
                 "mlps2/high_risk_rules.yaml")
    _site(tmp_path, "threats:\n  - {id: T1, name_zh: 威胁, name_en: threat, frequency: 2}\n",
          "risk/threats.yaml")
    assert [r["case"] for r in load_rules([site])] == ["6.4.1.1"]
    assert [t["id"] for t in load_threats([site])] == ["T1"]
    assert len(load_rules()) > 1


def test_bad_rule_is_refused_with_line(tmp_path):
    site = _site(tmp_path, "rules:\n  - case: '6.4.1.1'\n    when: {chek: {id: x}}\n",
                 "mlps2/high_risk_rules.yaml")
    with pytest.raises(DataError) as exc:
        load_rules([site])
    assert exc.value.line == 3


def test_duplicate_threat_id_is_refused(tmp_path):
    site = _site(tmp_path, "threats:\n  - {id: T1, name_zh: a, name_en: a, frequency: 2}\n"
                 "  - {id: T1, name_zh: b, name_en: b, frequency: 3}\n", "risk/threats.yaml")
    with pytest.raises(DataError, match="duplicate threat id T1") as exc:
        load_threats([site])
    assert exc.value.line == 3


def test_answers_for_unselected_items_are_reported():
    out = evaluate(ScoringInput(items=list(real_items(3))[:2],
                                answers={"L2-CES1-01": [{"verdict": "compliant"}]},
                                high_risk_rules=[], threats=load_threats()))
    assert any("L2-CES1-01" in w for w in out.summary.warnings)
