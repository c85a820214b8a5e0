"""The GB/T 20984 risk register: asset values, threat pairing, matrix and multiplication."""

from __future__ import annotations

import pytest
from scoring_helpers import asset, config, finding, item, result, run, threats

from cityguard.core.errors import DataError
from cityguard.model import Asset
from cityguard.scoring.config import resolve_config
from cityguard.scoring.risk import asset_value, rate

CES = [item("L3-CES1-21", control_point="入侵防范"), item("L3-CES1-01")]


def test_asset_value_given_derived_from_cia_or_default():
    """value wins; C/I/A (5, 3, 3) by log2: round(log2((32 + 8 + 8) / 3)) = round(log2 16) = 4;
    (5, 1, 1): round(log2(36 / 3)) = round(3.58) = 4; by max: 5; nothing → default 3."""
    cfg = config()
    assert asset_value(Asset("a", value=2, cia={"c": 5, "i": 5, "a": 5}), cfg) == 2
    assert asset_value(Asset("a", cia={"c": 5, "i": 3, "a": 3}), cfg) == 4
    assert asset_value(Asset("a", cia={"c": 5, "i": 1, "a": 1}), cfg) == 4
    by_max = config(risk={"asset_value": {"from_cia": "max"}})
    assert asset_value(Asset("a", cia={"c": 5, "i": 1, "a": 1}), by_max) == 5
    assert asset_value(Asset("a"), cfg) == 3
    assert asset_value(None, cfg) == 3


def test_matrix_method_worked_example():
    """Internet-facing asset, C/I/A 5/3/3 → Ia 4; critical-less high CVE finding → Va 4;
    T-EXPLOIT internet-facing frequency 5.
    L = likelihood_matrix[T=5][V=4] = 5; F = loss_matrix[Ia=4][Va=4] = 4;
    R = risk_matrix[L=5][F=4] = 23 → level 4 (19–23) 高, priority 1."""
    a = asset("web01", internet_facing=True, cia={"c": 5, "i": 3, "a": 3})
    f = finding(asset_key="web01", severity="high", cves=("CVE-2023-1",))
    (r,) = run(CES, assets=[a], findings=[f]).risks
    assert (r.threat_id, r.threat_frequency, r.vulnerability_severity, r.asset_value) == (
        "T-EXPLOIT", 5, 4, 4)
    assert (r.likelihood, r.loss, r.risk_value, r.level, r.level_zh) == (5, 4, 23, 4, "高")
    assert r.priority == 1 and r.method == "matrix"
    assert r.unit_ids == ["L3-CES1-21"] and r.vulnerability == f.fingerprint
    assert r.id.startswith("R-")


def test_multiplication_method_worked_example():
    """Same inputs: L = round(√(5 × 4)) = round(4.47) = 4; F = round(√(4 × 4)) = 4;
    R = 4 × 4 = 16 → level 4 (16–20)."""
    a = asset("web01", internet_facing=True, cia={"c": 5, "i": 3, "a": 3})
    f = finding(asset_key="web01", severity="high", cves=("CVE-2023-1",))
    cfg = config(risk={"method": "multiplication"})
    (r,) = run(CES, assets=[a], findings=[f], config=cfg).risks
    assert (r.likelihood, r.loss, r.risk_value, r.level) == (4, 4, 16, 4)


def test_multiplication_rounds_half_up():
    """T 3, V 3 → √9 = 3; T 2, V 3 → √6 = 2.449 → 2; T 5, V 5, Ia 1: F = √5 = 2.236 → 2;
    T 1, V 5 → √5 → 2; R = 2 × 2 = 4 → level 1 (1–5)."""
    cfg = config(risk={"method": "multiplication"})
    assert rate(3, 3, 3, cfg) == (3, 3, 9, 2)
    assert rate(2, 3, 3, cfg)[0] == 2
    assert rate(1, 5, 1, cfg) == (2, 2, 4, 1)


def test_boundaries_are_configurable():
    """Matrix R = 23 is level 4 by default; with bounds [5, 10, 15, 22, 25] it is level 5."""
    cfg = config(risk={"boundaries": {"matrix": [5, 10, 15, 22, 25]}})
    assert rate(5, 4, 4, cfg) == (5, 4, 23, 5)
    assert rate(5, 4, 4, config())[3] == 4


def test_threat_pairing_order_glob_then_control_point_then_class_then_default():
    res = [
        result("linux.auth.password_max_age", units=("L3-CES1-21",)),  # glob → T-AUTH
        result("x.y.z", units=("L3-CES1-21",)),  # control point 入侵防范 → T-EXPLOIT
        result("x.y.w", units=("L3-PSS1-01",)),  # class PSS → T-MGMT
        result("x.y.v", units=()),  # nothing → default T-MISCONFIG
    ]
    items = [*CES, item("L3-PSS1-01", control_point="安全策略")]
    by_check = {r.vulnerability: r.threat_id for r in run(items, results=res).risks}
    assert by_check == {"linux.auth.password_max_age": "T-AUTH", "x.y.z": "T-EXPLOIT",
                        "x.y.w": "T-MGMT", "x.y.v": "T-MISCONFIG"}


def test_register_skips_passes_info_findings_and_closed_findings():
    res = [result("a", "pass"), result("b", "manual"), result("c", "fail", waived=True)]
    fs = [finding(severity="info"), finding(severity="high", status="fixed", rule_id="2")]
    assert run(CES, results=res, findings=fs).risks == []


def test_register_is_sorted_and_prioritised():
    """critical on a value-5 asset first; low on a default-value asset last."""
    res = [
        result("x.low", severity="low", asset="h1"),
        result("x.crit", severity="critical", asset="h2"),
        result("x.med", severity="medium", asset="h1"),
    ]
    out = run(CES, results=res, assets=[asset("h1"), asset("h2", value=5)])
    levels = [(r.vulnerability, r.level) for r in out.risks]
    assert [v for v, _ in levels] == ["x.crit", "x.med", "x.low"]
    assert [r.level for r in out.risks] == sorted((r.level for r in out.risks), reverse=True)
    assert out.risks[0].priority <= out.risks[-1].priority
    # by hand: x.crit V5 on Ia 5 → L 4, F 5, R 23 (level 4); x.med V3 on Ia 3 → R 13 (level 3);
    # x.low V2 on Ia 3 → R 8 (level 2); all via T-AUTH (frequency 3, control point 身份鉴别)
    assert [r.risk_value for r in out.risks] == [23, 13, 8]
    assert out.summary.risk_counts == {"2": 1, "3": 1, "4": 1}


def test_frequency_override_in_config():
    cfg = config(risk={"frequencies": {"T-EXPLOIT": 1}})
    a = asset("web01", internet_facing=True)
    f = finding(asset_key="web01", severity="high", cves=("CVE-2023-1",))
    (r,) = run(CES, assets=[a], findings=[f], config=cfg).risks
    assert r.threat_frequency == 1


def test_every_threat_has_a_unique_id_and_the_default_exists():
    ids = [t["id"] for t in threats()]
    assert len(ids) == len(set(ids))
    assert config()["risk"]["default_threat"] in ids


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"risk": {"risk_matrix": [[25, 1, 1, 1, 1]] + [[25] * 5] * 4}}, "risk.risk_matrix"),
        ({"risk": {"boundaries": {"matrix": [6, 12, 18, 23, 24]}}}, "risk.boundaries.matrix"),
        ({"risk": {"method": "sum"}}, "risk.method"),
    ],
)
def test_bad_risk_configuration_is_refused(override, field):
    with pytest.raises(DataError) as exc:
        resolve_config(override)
    assert exc.value.field == field


def test_threat_control_points_exist_in_the_catalog(repo_root):
    """A misspelt `CLASS/控制点` in threats.yaml would silently never match."""
    import yaml

    cps = yaml.safe_load((repo_root / "policies/mlps2/control_points.yaml").read_text("utf-8"))
    known = {f"{c['class']}/{c['name_zh']}" for c in cps["control_points"]}
    for t in threats():
        missing = set(t.get("control_points", ())) - known
        assert not missing, (t["id"], missing)
