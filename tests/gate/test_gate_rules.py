"""Each kind of gate rule on small real manifests and Assessment records: evidence freshness
and fields, filing validity, thresholds, waivers and their expiry, baselines, conclusions."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from cityguard.core.errors import UsageError
from cityguard.gate.run import evaluate_gate, parse_conclusion, resolve_today
from cityguard.model import (
    Assessment,
    CheckResult,
    CheckStatus,
    Finding,
    HighRisk,
    Severity,
    Summary,
    SystemInfo,
)
from cityguard.system.manifest import load_manifest

TODAY = date(2025, 9, 1)


def manifest(tmp_path: Path, body: str = "", *, level: int = 3, docs: tuple[str, ...] = ()):
    for name in docs:
        (tmp_path / name).write_text(f"# {name}\n", encoding="utf-8")
    text = f"name: 测试系统\nstage: deploy\nlevel: {level}\n" + textwrap.dedent(body)
    p = tmp_path / "cityguard.yaml"
    p.write_text(text, encoding="utf-8")
    return load_manifest(p)


def run(rid: str = "r1", *, results=(), findings=(), high_risks=(), conclusion="compliant",
        rate=95.0) -> Assessment:
    summary = Summary(compliance_rate=rate, conclusion=conclusion, conclusion_zh="", score=rate,
                      score_formula="")
    return Assessment(run_id=rid, created="2025-09-01T00:00:00+08:00", tool_version="t",
                      system=SystemInfo(name="测试系统"), assets=[], selection={},
                      results=list(results), findings=list(findings),
                      high_risks=list(high_risks), summary=summary)


def failed(rid: str, asset: str = "web01", sev: Severity = Severity.HIGH) -> CheckResult:
    return CheckResult(check_id=rid, asset=asset, status=CheckStatus.FAIL, severity=sev,
                       unit_ids=("L3-CES1-01",))


def finding(rule: str, sev: Severity = Severity.HIGH, status: str = "open") -> Finding:
    return Finding(tool="trivy", format="trivy", asset_kind="image", asset_key="img:1",
                   rule_id=rule, title=f"{rule} in libfoo", severity=sev, location="libfoo@1",
                   status=status)


THRESHOLDS = ("deploy.findings", "deploy.high_risks", "deploy.conclusion", "waivers.not_expired")


def states(result) -> set[str]:
    """The states of the assessment-threshold rules (the documents are other tests' subject)."""
    return {o.state for o in result.outcomes if o.id in THRESHOLDS}


def outcome(result, rule_id: str):
    return next(o for o in result.outcomes if o.id == rule_id)


def gate(m, a=None, stage="deploy", **kw):
    return evaluate_gate(m, stage, a, today=kw.pop("today", TODAY), **kw)


# --- evidence -------------------------------------------------------------------------------

def test_evidence_is_checked_for_file_date_approver_freshness_and_fields(tmp_path):
    m = manifest(tmp_path, """
        evidence:
          - {type: acceptance_test, path: ok.md, date: 2025-08-01, approver: 王}
          - {type: security_test, path: st.md, date: 2025-08-20, approver: 李,
             cryptography: true, open_high_risks: 0}
    """, docs=("ok.md", "st.md"))
    r = gate(m, run())
    assert outcome(r, "deploy.acceptance_test").state == "pass"
    assert outcome(r, "deploy.security_test").state == "pass"
    assert "ok.md" in outcome(r, "deploy.acceptance_test").message_en

    cases = {
        "no approver": "{type: acceptance_test, path: ok.md, date: 2025-08-01}",
        "does not exist": "{type: acceptance_test, path: gone.md, date: 2025-08-01, approver: 王}",
        "after today": "{type: acceptance_test, path: ok.md, date: 2025-09-02, approver: 王}",
        "over the limit of 180 days": "{type: acceptance_test, path: ok.md, date: 2025-02-01, "
                                      "approver: 王}",
    }
    for words, rec in cases.items():
        m = manifest(tmp_path, f"evidence:\n  - {rec}\n", docs=("ok.md",))
        o = outcome(gate(m, run()), "deploy.acceptance_test")
        assert o.state == "fail" and words in o.message_en, (words, o.message_en)
        assert o.todo_zh and o.line == 5

    m = manifest(tmp_path, "evidence: []\n")
    o = outcome(gate(m, run()), "deploy.acceptance_test")
    assert o.state == "fail" and "no acceptance_test record" in o.message_en


def test_security_test_needs_cryptography_and_no_open_high_risk(tmp_path):
    for fields, words in (("cryptography: false, open_high_risks: 0", "cryptography must be True"),
                          ("open_high_risks: 0", "cryptography must be True"),
                          ("cryptography: true, open_high_risks: 2", "open_high_risks must be 0")):
        m = manifest(tmp_path, f"""
            evidence:
              - {{type: security_test, path: st.md, date: 2025-08-20, approver: 李, {fields}}}
        """, docs=("st.md",))
        o = outcome(gate(m, run()), "deploy.security_test")
        assert o.state == "fail" and words in o.message_en


def test_a_newer_valid_record_wins_over_an_old_broken_one(tmp_path):
    m = manifest(tmp_path, """
        evidence:
          - {type: acceptance_test, path: old.md, date: 2024-01-01}
          - {type: acceptance_test, path: new.md, date: 2025-08-30, approver: 王}
    """, docs=("old.md", "new.md"))
    assert outcome(gate(m, run()), "deploy.acceptance_test").evidence == "new.md"


def test_design_must_be_approved_before_building_starts(tmp_path):
    body = """
        evidence:
          - {{type: security_design, path: d.md, date: {d}, approver: 王, cryptography: true}}
          - {{type: implementation_plan, path: p.md, date: 2025-03-01, approver: 王}}
    """
    ok = manifest(tmp_path, body.format(d="2025-02-01"), docs=("d.md", "p.md"))
    assert outcome(gate(ok, stage="build"), "plan.security_design").state == "pass"
    late = manifest(tmp_path, body.format(d="2025-03-02"), docs=("d.md", "p.md"))
    o = outcome(gate(late, stage="build"), "plan.security_design")
    assert o.state == "fail" and "after building started" in o.message_en


def test_level_assessment_interval_and_the_level_4_warning(tmp_path):
    body = """
        evidence:
          - {{type: level_assessment_report, path: r.md, date: {d}, conclusion: 基本符合}}
    """
    m = manifest(tmp_path, body.format(d="2024-09-02"), docs=("r.md",))  # 364 days
    assert outcome(gate(m, run(), stage="operate"), "operate.level_assessment").state == "pass"
    m = manifest(tmp_path, body.format(d="2024-08-31"), docs=("r.md",))  # 12 months + 1 day
    o = outcome(gate(m, run(), stage="operate"), "operate.level_assessment")
    assert o.state == "fail" and "12 months" in o.message_en
    # level 4: yearly, with a warning once six months have passed (2007 Measures)
    m = manifest(tmp_path, body.format(d="2025-01-15"), level=4, docs=("r.md",))
    o = outcome(gate(m, run(), stage="operate"), "operate.level_assessment")
    assert o.state == "warn" and "six months" in o.message_en
    # configurable: a site that assesses level 3 every six months
    m = manifest(tmp_path, textwrap.dedent(body.format(d="2025-01-15"))
                 + "gate: {assessment_interval_months: 6}\n", docs=("r.md",))
    assert outcome(gate(m, run(), stage="operate"), "operate.level_assessment").state == "fail"
    m = manifest(tmp_path, "evidence:\n  - {type: level_assessment_report, path: r.md, "
                 "date: 2025-06-01}\n", docs=("r.md",))
    o = outcome(gate(m, run(), stage="operate"), "operate.level_assessment")
    assert o.state == "fail" and "no conclusion" in o.message_en


def test_filing_certificate_validity(tmp_path):
    def filing(extra: str = "", reports: tuple[str, ...] = ()) -> str:
        lines = ["evidence:", "  - {type: filing_certificate, path: f.md, date: 2025-03-01, "
                 f"number: '31-1'{extra}}}"]
        lines += [f"  - {{type: level_assessment_report, path: f.md, date: {d}, conclusion: 符合}}"
                  for d in reports]
        return "\n".join(lines) + "\n"

    m = manifest(tmp_path, filing(), docs=("f.md",))
    o = outcome(gate(m, run(), stage="operate", today=date(2027, 11, 30)), "operate.filing_valid")
    assert o.state == "pass" and "2028-03-01" in o.message_en
    o = outcome(gate(m, run(), stage="operate", today=date(2028, 1, 15)), "operate.filing_valid")
    assert o.state == "warn" and "renewal" in o.message_en  # last three months
    o = outcome(gate(m, run(), stage="operate", today=date(2028, 3, 2)), "operate.filing_valid")
    assert o.state == "fail" and "expired" in o.message_en
    # each completed assessment adds a year
    m = manifest(tmp_path, filing(reports=("2025-09-01", "2026-09-01")), docs=("f.md",))
    o = outcome(gate(m, run(), stage="operate", today=date(2029, 6, 1)), "operate.filing_valid")
    assert o.state == "pass" and "2030-03-01" in o.message_en
    # the certificate's own expiry date, when recorded, is what counts
    m = manifest(tmp_path, filing(", expires: 2025-08-31"), docs=("f.md",))
    assert outcome(gate(m, run(), stage="operate"), "operate.filing_valid").state == "fail"
    # filings made before 2025-01-01 count their three years from that day (1846号)
    old = "evidence:\n  - {type: filing_certificate, path: f.md, date: 2020-05-01, number: x}\n"
    m = manifest(tmp_path, old, docs=("f.md",))
    o = outcome(gate(m, run(), stage="operate", today=date(2027, 12, 31)), "operate.filing_valid")
    assert o.state != "fail" and "2028-01-01" in o.message_en


def test_log_retention_from_checks_or_a_document(tmp_path):
    ok = CheckResult(check_id="linux.logging.logrotate_retention", asset="web01",
                     status=CheckStatus.PASS, severity=Severity.MEDIUM, unit_ids=())
    bad = CheckResult(check_id="linux.logging.syslog_rotation_retention", asset="web01",
                      status=CheckStatus.FAIL, severity=Severity.MEDIUM, unit_ids=())
    m = manifest(tmp_path)
    assert outcome(gate(m, run(results=[ok]), stage="operate"),
                   "operate.log_retention").state == "pass"
    o = outcome(gate(m, run(results=[ok, bad]), stage="operate"), "operate.log_retention")
    assert o.state == "fail" and "syslog_rotation_retention @ web01" in o.message_en
    o = outcome(gate(m, run(), stage="operate"), "operate.log_retention")
    assert o.state == "fail" and "no log-retention check result" in o.message_en
    doc = """
        evidence:
          - {{type: log_retention, path: siem.md, date: 2025-05-01, approver: 王,
             retention_days: {n}}}
    """
    m = manifest(tmp_path, doc.format(n=200), docs=("siem.md",))
    o = outcome(gate(m, run(results=[bad]), stage="operate"), "operate.log_retention")
    assert o.state == "pass" and "siem.md" in o.message_en  # central retention covers the host
    m = manifest(tmp_path, doc.format(n=90), docs=("siem.md",))
    o = outcome(gate(m, run(), stage="operate"), "operate.log_retention")
    assert o.state == "fail" and "retention_days must be ≥ 180" in o.message_en


# --- thresholds, waivers, baselines ---------------------------------------------------------

WAIVER = """
waivers:
  - {{check: linux.files.shadow_mode, asset: web01, reason: 迁移中, approver: 王,
     expires: {exp}, compensating: 堡垒机}}
"""


def test_failed_checks_and_open_findings_at_the_threshold_block(tmp_path):
    m = manifest(tmp_path)
    a = run(results=[failed("linux.files.shadow_mode")], findings=[finding("CVE-2024-1")])
    o = outcome(gate(m, a), "deploy.findings")
    assert o.state == "fail" and len(o.details) == 2
    assert "check linux.files.shadow_mode @ web01 [high]" in o.details
    # below the threshold, or closed, nothing blocks
    a = run(results=[failed("x.y", sev=Severity.MEDIUM)],
            findings=[finding("CVE-2024-2", Severity.MEDIUM), finding("CVE-2024-3",
                                                                      status="fixed")])
    assert outcome(gate(m, a), "deploy.findings").state == "pass"
    assert outcome(gate(m, a, fail_on="medium"), "deploy.findings").state == "fail"


def test_a_valid_waiver_hides_and_an_expired_one_fails_the_gate(tmp_path):
    a = run(results=[failed("linux.files.shadow_mode")])
    m = manifest(tmp_path, WAIVER.format(exp="2025-12-31"))
    r = gate(m, a)
    assert states(r) == {"pass"} and "1 waived" in outcome(r, "deploy.findings").message_en
    m = manifest(tmp_path, WAIVER.format(exp="2025-08-31"))
    r = gate(m, a)
    assert not r.passed
    w = outcome(r, "waivers.not_expired")
    assert w.state == "fail" and "expired 2025-08-31" in w.message_en and w.line == 6
    assert outcome(r, "deploy.findings").state == "fail"  # it no longer hides the failure
    # even at plan stage (no assessment) an expired waiver blocks
    assert outcome(gate(m, None, stage="plan"), "waivers.not_expired").state == "fail"
    m = manifest(tmp_path, WAIVER.format(exp="2025-09-20"))
    assert outcome(gate(m, a), "waivers.not_expired").state == "warn"


def test_waivers_by_item_finding_fingerprint_and_scanner_rule(tmp_path):
    f = finding("CVE-2024-9")
    a = run(results=[failed("linux.a")], findings=[f])
    body = f"""
        waivers:
          - {{item: L3-CES1-01, reason: r, approver: a, expires: 2026-01-01}}
          - {{finding: "{f.fingerprint[:12]}", reason: r, approver: a, expires: 2026-01-01}}
    """
    assert outcome(gate(manifest(tmp_path, body), a), "deploy.findings").state == "pass"
    body = """
        waivers:
          - {check: CVE-2024-9, asset: other, reason: r, approver: a, expires: 2026-01-01}
    """
    o = outcome(gate(manifest(tmp_path, body), run(findings=[f])), "deploy.findings")
    assert o.state == "fail"  # waived on another asset only


def test_open_high_risks_block(tmp_path):
    hr = HighRisk(case_id="6.4.1.2", unit_ids=["L3-CES1-03"], asset="web01",
                  title_zh="明文传输鉴别信息", title_en="Clear-text login", evidence=[])
    m = manifest(tmp_path)
    o = outcome(gate(m, run(high_risks=[hr])), "deploy.high_risks")
    assert o.state == "fail" and "6.4.1.2 @ web01" in o.message_en
    hr.status = "mitigated"
    assert outcome(gate(m, run(high_risks=[hr])), "deploy.high_risks").state == "pass"


def test_baseline_hides_what_was_there_and_catches_what_is_new(tmp_path):
    m = manifest(tmp_path)
    old_hr = HighRisk(case_id="6.5.1.2", unit_ids=[], asset="web01", title_zh="日志",
                      title_en="logs", evidence=[])
    baseline = run("base", results=[failed("linux.a")], findings=[finding("CVE-1")],
                   high_risks=[old_hr], conclusion="basically_compliant", rate=80)
    same = run("now", results=[failed("linux.a")], findings=[finding("CVE-1")],
               high_risks=[old_hr], conclusion="basically_compliant", rate=80)
    r = gate(m, same, baseline=baseline)
    assert states(r) == {"pass"} and r.baseline_run_id == "base"
    assert "1 already in the baseline" in outcome(r, "deploy.high_risks").message_en
    assert "fail" in states(gate(m, same))  # without the baseline the same run is blocked
    new_hr = HighRisk(case_id="6.4.1.1", unit_ids=[], asset="web01", title_zh="弱口令",
                      title_en="weak password", evidence=[])
    worse = run("now", results=[failed("linux.a"), failed("linux.b", asset="db01")],
                findings=[finding("CVE-1"), finding("CVE-2")], high_risks=[old_hr, new_hr])
    r = gate(m, worse, baseline=baseline)
    assert _failed_ids(r) == {"deploy.findings", "deploy.high_risks"}
    assert outcome(r, "deploy.findings").details == [
        "check linux.b @ db01 [high]",
        f"finding {finding('CVE-2').fingerprint[:12]} trivy:CVE-2 @ img:1 [high] CVE-2 in libfoo"]
    assert outcome(r, "deploy.high_risks").details == ["6.4.1.1 @ web01: weak password"]


def _failed_ids(r) -> set[str]:
    return {o.id for o in r.outcomes if o.state == "fail" and o.id in THRESHOLDS}


def test_conclusion_thresholds_in_both_languages(tmp_path):
    m = manifest(tmp_path)
    basic = run(conclusion="basically_compliant", rate=75.0)
    assert outcome(gate(m, basic), "deploy.conclusion").state == "pass"  # default 基本符合
    for token in ("符合", "compliant"):
        o = outcome(gate(m, basic, min_conclusion=token), "deploy.conclusion")
        assert o.state == "fail" and "75.0%" in o.message_en
    low = run(conclusion="non_compliant", rate=40.0)
    assert outcome(gate(m, low, min_conclusion="不符合"), "deploy.conclusion").state == "pass"
    assert outcome(gate(m, low), "deploy.conclusion").state == "fail"
    # with a baseline that was no better, a low conclusion warns instead of blocking
    o = outcome(gate(m, low, baseline=run("b", conclusion="non_compliant")), "deploy.conclusion")
    assert o.state == "warn"
    unscored = run()
    unscored.summary = None
    assert outcome(gate(m, unscored), "deploy.conclusion").state == "fail"
    m2 = manifest(tmp_path, "gate: {min_conclusion: 符合}\n")
    assert outcome(gate(m2, basic), "deploy.conclusion").state == "fail"  # the manifest's own


def test_parsers_and_today(monkeypatch):
    assert parse_conclusion("基本符合") == parse_conclusion("basically-compliant") \
        == "basically_compliant"
    with pytest.raises(UsageError, match="--min-conclusion"):
        parse_conclusion("良")
    monkeypatch.setenv("CITYGUARD_TODAY", "2025-01-02")
    assert resolve_today(None) == date(2025, 1, 2)
    assert resolve_today("2024-12-31") == date(2024, 12, 31)
    with pytest.raises(UsageError):
        resolve_today("tomorrow")


def test_without_an_assessment_the_threshold_rules_fail(tmp_path):
    r = gate(manifest(tmp_path), None)
    for rid in ("deploy.findings", "deploy.high_risks", "deploy.conclusion"):
        assert outcome(r, rid).state == "fail"
