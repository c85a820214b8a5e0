from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    ASSETS,
    assert_detected,
    assert_well_formed,
    one,
    parse,
)

from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "xccdf"
# the corpus has no SCAP results: hand-made samples in the shape of OpenSCAP's output
RESULTS = ASSETS / "xccdf" / "ssg-results.xml"
ARF = ASSETS / "xccdf" / "ssg-results-arf.xml"
RULE = "xccdf_org.ssgproject.content_rule_"


def test_results_and_arf_are_detected_as_xccdf() -> None:
    assert_detected(FMT, RESULTS)
    assert_detected(FMT, ARF)


def test_which_results_become_findings() -> None:
    findings = parse(FMT, RESULTS)
    assert_well_formed(findings, FMT)
    by_rule = {f.rule_id.removeprefix(RULE): f for f in findings}
    # fail → a finding at the rule's severity
    assert {k for k, f in by_rule.items() if "config" in f.tags} == {
        "accounts_password_minlen_login_defs",
        "file_permissions_etc_shadow",
        "xccdf_cn.gov.djbh.content_rule_password_complexity",
        "sshd_disable_root_login",
    }
    # error / unknown / notchecked → info, tagged not-checked: never read as passed
    assert {k for k, f in by_rule.items() if "not-checked" in f.tags} == {
        "audit_rules_login_events",
        "security_patches_up_to_date",
        "rsyslog_remote_loghost",
    }
    # pass, fixed, informational, notselected, notapplicable → nothing to track
    for absent in (
        "package_telnet-server_removed",
        "sysctl_kernel_randomize_va_space",
        "audit_informational",
        "grub2_password",
        "service_firewalld_enabled",
    ):
        assert absent not in by_rule


def test_failed_rule_fields() -> None:
    findings = parse(FMT, RESULTS)
    f = one(findings, rule_id=f"{RULE}accounts_password_minlen_login_defs")
    assert (f.asset_kind, f.asset_key) == ("host", "192.168.10.21")  # not the loopback address
    assert f.title == "Set Password Minimum Length in login.defs"
    assert f.severity is Severity.MEDIUM and f.severity_raw == "fail medium"
    assert f.references == ("IA-5(f)", "IA-5(1)(a)", "5.6.1.1")
    assert f.extra["idents"] == ["CCE-80652-3"]
    assert "/etc/login.defs" in f.description and f.solution.startswith("Set PASS_MIN_LEN")
    assert f.tags == ("compliance", "config") and f.location == ""
    assert f.last_seen == "2024-03-18T09:13:40+08:00"
    shadow = one(findings, rule_id=f"{RULE}file_permissions_etc_shadow")
    assert shadow.severity is Severity.LOW  # failed with severity "unknown"
    assert "/etc/shadow has mode 0644" in shadow.evidence


def test_not_checked_results_are_info_and_tracked_apart() -> None:
    findings = parse(FMT, RESULTS)
    error = one(findings, rule_id=f"{RULE}audit_rules_login_events")
    assert error.severity is Severity.INFO and error.severity_raw == "error medium"
    assert error.location == "not-checked" and error.title.startswith("[not checked: error]")
    assert "permission denied" in error.evidence
    failed = one(parse(FMT, ARF), rule_id=f"{RULE}sshd_disable_root_login")
    assert failed.location == ""  # a failure and a not-checked are two identities


def test_references_reach_the_mlps_mapping() -> None:
    findings = parse(FMT, RESULTS)
    direct = one(findings, rule_id="xccdf_cn.gov.djbh.content_rule_password_complexity")
    assert "L3-CES1-01" in unit_ids_for(direct, 3)
    audit = one(findings, rule_id=f"{RULE}audit_rules_login_events")
    assert "L3-CES1-12" in unit_ids_for(audit, 3)  # via NIST AU-2


def test_arf_reads_the_benchmark_inside_the_data_stream() -> None:
    findings = parse(FMT, ARF)
    assert [(f.rule_id.removeprefix(RULE), f.severity) for f in findings] == [
        ("sshd_disable_root_login", Severity.MEDIUM),
        ("auditd_data_retention_space_left_action", Severity.MEDIUM),
        ("audit_rules_immutable", Severity.INFO),
    ]
    f = findings[0]
    assert f.asset_key == "192.168.10.22" and f.title == "Disable SSH Root Login"
    assert f.references == ("IA-2",) and "oval:ssg-sshd_disable_root_login:def:1" in f.evidence


def test_target_without_address_uses_the_fqdn_fact(tmp_path: Path) -> None:
    path = tmp_path / "tr.xml"
    path.write_text(
        '<TestResult xmlns="http://checklists.nist.gov/xccdf/1.1" id="tr" end-time="2024-01-01">'
        "<target>localhost</target><target-address>127.0.0.1</target-address><target-facts>"
        '<fact name="urn:xccdf:fact:asset:identifier:fqdn">app.example.cn</fact></target-facts>'
        '<rule-result idref="r1" severity="high"><result>fail</result></rule-result>'
        '<rule-result idref="r2"><result>pass</result></rule-result></TestResult>',
        encoding="utf-8",
    )
    (f,) = parse(FMT, path)
    assert (f.asset_key, f.rule_id, f.title, f.severity) == ("app.example.cn", "r1", "r1",
                                                            Severity.HIGH)  # fmt: skip


def test_benchmark_without_results_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "benchmark.xml"
    text = RESULTS.read_text(encoding="utf-8")
    start, end = text.index("<TestResult"), text.index("</TestResult>") + len("</TestResult>")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert_detected(FMT, path)
    assert parse(FMT, path) == []
