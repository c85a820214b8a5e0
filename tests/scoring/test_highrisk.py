"""High-risk rules (policies/mlps2/high_risk_rules.yaml): each with a triggering and a passing
example, mitigations, declared cases and the major hidden risk."""

from __future__ import annotations

import pytest
from scoring_helpers import asset, config, finding, real_cases, real_items, result, run

from cityguard.scoring import load_rules

FACING = asset("web01", target="ssh://ops@10.0.0.5", internet_facing=True)
INTERNAL = asset("web01", target="ssh://ops@10.0.0.5", internet_facing=False)


def _f(**kw):
    kw.setdefault("asset_key", "10.0.0.5")
    return finding(**kw)


# case → (inputs that trigger it on web01, inputs that do not)
CASES = {
    "6.4.1.1": ({"results": [result("linux.accounts.no_empty_passwords", "fail")]},
                {"results": [result("linux.accounts.no_empty_passwords", "pass")]}),
    "6.4.1.2": ({"results": [result("linux.services.telnet_server_absent", "fail")]},
                {"results": [result("linux.services.telnet_server_absent", "pass")]}),
    "6.2.2.1": ({"results": [result("mysql.tls.secure_transport_required", "fail")]},
                {"results": [result("mysql.tls.secure_transport_required", "pass")]}),
    "6.3.2.1": ({"results": [result("netdev.cisco_ios.boundary_default_deny", "fail",
                                    units=("L3-ABS1-05",))]},
                {"results": [result("netdev.cisco_ios.boundary_default_deny", "pass",
                                    units=("L3-ABS1-05",))]}),
    "6.4.1.3": ({"results": [result("ssh.sshd.mfa_required", "fail")]},
                {"results": [result("ssh.sshd.mfa_required", "pass")]}),
    "6.4.2.1": ({"findings": [_f(title="Apache Tomcat default credentials", severity="medium",
                                 tags=("web",))]},
                {"findings": [_f(title="Apache Tomcat default credentials", severity="low",
                                 tags=("web",))]}),
    "6.4.2.2": ({"results": [result("k8s.pod.run_as_non_root", "fail", severity="medium")]},
                {"results": [result("k8s.pod.run_as_non_root", "pass", severity="medium")]}),
    "6.4.3.1": ({"findings": [_f(tags=("port", "mgmt-port"), title="RDP open", severity="info")],
                 "assets": [FACING]},
                {"findings": [_f(tags=("port", "mgmt-port"), title="RDP open", severity="info")],
                 "assets": [INTERNAL]}),
    "6.4.3.2": ({"findings": [_f(cves=("CVE-2021-44228",), severity="critical")],
                 "assets": [FACING]},
                {"findings": [_f(cves=("CVE-2021-44228",), severity="critical")],
                 "assets": [INTERNAL]}),
    "6.4.3.3": ({"findings": [_f(cwes=("CWE-89",), title="Blind injection", severity="high",
                                 tags=("web",))]},
                {"findings": [_f(cwes=("CWE-200",), title="Banner disclosure", severity="high",
                                 tags=("web",))]}),
    "6.4.4.1": ({"results": [result("linux.security.av_present", "fail",
                                    units=("L3-CES1-23",))]},
                {"results": [result("linux.security.av_present", "pass",
                                    units=("L3-CES1-23",))]}),
    "6.4.5.2": ({"findings": [_f(tags=("secret",), title="AWS key in config.py", severity="high")]},
                {"findings": [_f(tags=("secret",), title="AWS key in config.py", severity="high",
                                 status="fixed")]}),
    "6.4.6.1": ({"results": [result("linux.backup.job_scheduled", "fail", units=("L3-CES1-29",))]},
                {"results": [result("linux.backup.offsite_copy_scheduled", "fail",
                                    units=("L3-CES1-30",))]}),
    "6.5.1.2": ({"results": [result("linux.logging.logrotate_retention", "fail",
                                    severity="medium", units=("L3-SMC1-10",))]},
                {"results": [result("linux.logging.logrotate_retention", "pass",
                                    severity="medium", units=("L3-SMC1-10",))]}),
}


def _run(**kw):
    kw.setdefault("assets", [INTERNAL])
    return run(list(real_items(3)), high_risk_cases=list(real_cases()),
               high_risk_rules=load_rules(), level=3, **kw)


def _raised(outcome, case_id: str, asset_id: str = "web01"):
    return [h for h in outcome.high_risks if h.case_id == case_id and h.asset == asset_id]


def test_every_machine_rule_has_an_example_here_and_a_case_in_the_catalog():
    rule_cases = {r["case"] for r in load_rules()}
    assert rule_cases == set(CASES)
    assert rule_cases <= {c.case_id for c in real_cases()}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_rule_triggers(case_id):
    trigger, _ = CASES[case_id]
    (h,) = _raised(_run(**trigger), case_id)
    assert h.status == "open" and h.source == "rule"
    assert h.evidence and all(isinstance(e, str) for e in h.evidence)
    assert h.unit_ids and all(u.startswith("L3-") for u in h.unit_ids)
    assert h.title_zh and h.title_en


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_rule_stays_quiet_on_the_passing_example(case_id):
    _, passing = CASES[case_id]
    assert _raised(_run(**passing), case_id) == []


def test_evidence_names_the_finding_and_exposure():
    trigger, _ = CASES["6.4.3.2"]
    (h,) = _raised(_run(**trigger), "6.4.3.2")
    assert "CVE-2021-44228" in h.evidence[0] and "internet-facing" in h.evidence[0]


def test_weak_password_finding_title_triggers_6_4_1_1():
    f = _f(title="MySQL weak password for user root", severity="high", tags=())
    assert _raised(_run(findings=[f]), "6.4.1.1")


def test_case_above_the_system_level_is_not_raised():
    """6.4.1.3 (multi-factor) applies at L3+: a level-2 system does not get it."""
    trigger, _ = CASES["6.4.1.3"]
    out = run(list(real_items(2)), high_risk_cases=list(real_cases()),
              high_risk_rules=load_rules(), level=2, assets=[INTERNAL], **trigger)
    assert _raised(out, "6.4.1.3") == []


def test_declared_mitigation_lowers_a_mitigable_case():
    trigger, _ = CASES["6.4.1.1"]
    m = {"id": "M1", "case": "6.4.1.1", "measure_zh": "仅允许堡垒机本地登录"}
    (h,) = _raised(_run(mitigations=[m], **trigger), "6.4.1.1")
    assert h.mitigated and h.status == "mitigated"
    assert "仅允许堡垒机本地登录" in h.mitigation


def test_mitigation_for_another_asset_does_not_apply():
    trigger, _ = CASES["6.4.1.1"]
    m = {"case": "6.4.1.1", "asset": "db01", "measure_en": "MFA"}
    (h,) = _raised(_run(mitigations=[m], **trigger), "6.4.1.1")
    assert h.status == "open"


def test_case_without_mitigation_in_the_guideline_stays_open():
    """6.5.1.2 (logs < 6 months) allows no mitigation: the declaration is recorded, not applied."""
    trigger, _ = CASES["6.5.1.2"]
    m = {"case": "6.5.1.2", "measure_en": "logs on a syslog server"}
    (h,) = _raised(_run(mitigations=[m], **trigger), "6.5.1.2")
    assert h.status == "open" and not h.mitigable
    assert "no mitigation" in h.mitigation


def test_internet_facing_vulnerability_cannot_be_mitigated():
    trigger, _ = CASES["6.4.3.2"]
    m = {"case": "6.4.3.2", "measure_en": "WAF"}
    (h,) = _raised(_run(mitigations=[m], **trigger), "6.4.3.2")
    assert h.status == "open" and "condition" in h.mitigation


def test_windows_host_without_anti_malware_cannot_be_mitigated():
    trigger, _ = CASES["6.4.4.1"]
    m = {"case": "6.4.4.1", "measure_en": "gateway anti-malware"}
    (h,) = _raised(_run(mitigations=[m], **trigger), "6.4.4.1")
    assert h.status == "mitigated"  # Linux host, internal: allowed
    win = asset("web01", internet_facing=False, tags=("windows",))
    (h,) = _raised(_run(mitigations=[m], **{**trigger, "assets": [win]}), "6.4.4.1")
    assert h.status == "open"


def test_person_declares_a_case_in_an_answer():
    answers = {"L3-PES1-03": [{"verdict": "non_compliant", "assessor": "李工",
                               "note": "机房无门禁", "high_risks": ["6.1.1.1"]}]}
    out = _run(answers=answers)
    (h,) = _raised(out, "6.1.1.1", "system")
    assert h.source == "answer" and "李工" in h.evidence[0] and "机房无门禁" in h.evidence[0]
    bad = _run(answers={"L3-PES1-03": [{"verdict": "compliant", "high_risks": ["9.9.9"]}]})
    assert any("9.9.9" in w for w in bad.summary.warnings)


def _compliant_except(*units: str):
    """Every level-3 item answered 符合 except `units` (left to the machines)."""
    return {i.unit_id: [{"verdict": "compliant"}] for i in real_items(3) if i.unit_id not in units}


def test_open_high_risk_is_a_major_hidden_risk_and_blocks_compliant():
    """210 items answered 符合; L3-CES1-21 carries an open critical CVE finding → 不符合:
    210 / 211 × 100 = 99.5 % > 90, but the open case 6.4.3.2 is a major hidden risk → 基本符合."""
    trigger, _ = CASES["6.4.3.2"]
    s = _run(answers=_compliant_except("L3-CES1-21"), **trigger).summary
    assert s.compliance_rate == 99.5
    assert s.major_hidden_risk and "6.4.3.2" in s.major_hidden_risk_reason
    assert s.conclusion == "basically_compliant"
    assert s.high_risk_counts == {"open": 1}


def test_mitigated_case_is_not_major_by_default_and_rule_is_configurable():
    """Check on L3-CES1-01 fails → 210 / 211 = 99.5 %; case 6.4.1.1 mitigated → 符合 by default."""
    trigger, _ = CASES["6.4.1.1"]
    m = [{"case": "6.4.1.1", "measure_en": "local access only"}]
    answers = _compliant_except("L3-CES1-01")
    s = _run(answers=answers, mitigations=m, **trigger).summary
    assert not s.major_hidden_risk and s.conclusion == "compliant"
    strict = config(major_hidden_risk={"mitigated_high_risks_at_least": 1})
    s = _run(answers=answers, mitigations=m, config=strict, **trigger).summary
    assert s.major_hidden_risk and s.conclusion == "basically_compliant"


def test_a_person_answering_the_items_compliant_waives_a_machine_case():
    """The backup job check fails on web01, but a person answers L3-CES1-29 符合 (central
    backup system): the case is kept as `waived` with the answer, and is not a major risk."""
    trigger, _ = CASES["6.4.6.1"]
    answers = {"L3-CES1-29": [{"verdict": "compliant", "note": "集中备份系统每日备份"}]}
    out = _run(answers=answers, **trigger)
    (h,) = _raised(out, "6.4.6.1")
    assert h.status == "waived" and "集中备份系统每日备份" in h.mitigation
    assert not out.summary.major_hidden_risk
    # an answer for another asset does not waive it
    other = {"L3-CES1-29": [{"verdict": "compliant", "asset": "db01"}]}
    (h,) = _raised(_run(answers=other, **trigger), "6.4.6.1")
    assert h.status == "open"


def test_major_hidden_risk_limited_to_listed_cases_or_overridden():
    trigger, _ = CASES["6.4.1.1"]
    only = config(major_hidden_risk={"cases": ["6.4.3.2"]})
    assert not _run(config=only, **trigger).summary.major_hidden_risk
    forced = config(major_hidden_risk={"override": False})
    s = _run(answers=_compliant_except("L3-CES1-01"), config=forced, **trigger).summary
    assert not s.major_hidden_risk and s.conclusion == "compliant"
    assert "assessor" in s.major_hidden_risk_reason_en


def test_register_level_rule_for_major_hidden_risk():
    """A critical CVE on an internet-facing asset of value 5 is a 很高 (5) register risk."""
    f = _f(cves=("CVE-2024-1",), severity="critical")
    a = asset("web01", target="ssh://ops@10.0.0.5", internet_facing=True, value=5)
    cfg = config(major_hidden_risk={"open_high_risks_at_least": None,
                                    "register_level_at_least": 5})
    s = run(list(real_items(3)), findings=[f], assets=[a], config=cfg).summary
    assert s.major_hidden_risk and "level ≥ 5" in s.major_hidden_risk_reason_en


def test_cases_in_their_yaml_form_work_like_model_cases(repo_root):
    """ScoringInput.high_risk_cases may be the YAML-loaded dicts of high_risk_cases.yaml."""
    import yaml

    raw = yaml.safe_load((repo_root / "policies/mlps2/high_risk_cases.yaml").read_text("utf-8"))
    trigger, _ = CASES["6.4.1.1"]
    as_dicts = run(list(real_items(3)), high_risk_cases=raw["cases"],
                   high_risk_rules=load_rules(), level=3, assets=[INTERNAL], **trigger)
    as_models = _run(**trigger)
    assert as_dicts.high_risks == as_models.high_risks
    assert [h.case_id for h in as_dicts.high_risks] == ["6.4.1.1"]
