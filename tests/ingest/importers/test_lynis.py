from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import (
    ASSETS,
    assert_detected,
    assert_well_formed,
    one,
    parse,
)

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "lynis"
# the corpus has no Lynis report: hand-made samples in the shape of Lynis 3.0 report.dat
REPORT = ASSETS / "lynis" / "lynis-report.dat"
CLEAN = ASSETS / "lynis" / "lynis-clean.dat"


def test_samples_are_detected_as_lynis() -> None:
    assert_detected(FMT, REPORT)
    assert_detected(FMT, CLEAN)


def test_warnings_and_suggestions_become_findings() -> None:
    findings = parse(FMT, REPORT)
    assert_well_formed(findings, FMT)
    # 18 items: PKGS-7392 as warning and suggestion → 17; AUTH-9286 twice with details "-"
    # (minimum and maximum password age) stays two: the suggestion's text is the location
    assert len(findings) == 17
    ages = sorted(f.location for f in findings if f.rule_id == "AUTH-9286")
    assert ages == ["Configure maximum password age in /etc/login.defs",
                    "Configure minimum password age in /etc/login.defs"]
    assert {f.asset_key for f in findings} == {"10.20.30.41"}
    firewall = one(findings, rule_id="FIRE-4512")
    assert firewall.severity is Severity.MEDIUM and firewall.severity_raw == "warning"
    assert firewall.tags == ("compliance", "config") and firewall.location == ""
    assert firewall.last_seen == "2024-03-18T10:04:37"
    assert firewall.extra["hostname"] == "app02.example.cn"
    assert firewall.references == ("https://cisofy.com/lynis/controls/FIRE-4512/",)
    usb = one(findings, rule_id="USB-1000")
    assert usb.severity is Severity.LOW and usb.severity_raw == "suggestion"


def test_details_tell_items_of_one_test_apart() -> None:
    findings = parse(FMT, REPORT)
    ssh = sorted(f.location for f in findings if f.rule_id == "SSH-7408")
    assert ssh == [
        "AllowTcpForwarding (set YES to NO)",
        "MaxAuthTries (set 6 to 3)",
        # details that themselves contain "|" stay whole
        "PermitRootLogin (set YES to (FORCED-COMMANDS-ONLY|NO|PROHIBIT-PASSWORD|WITHOUT-PASSWORD))",
    ]
    kernel = one(findings, rule_id="KRNL-6000")
    assert kernel.solution.startswith("Change sysctl value")


def test_warning_wins_over_the_suggestion_of_the_same_test() -> None:
    pkgs = one(parse(FMT, REPORT), rule_id="PKGS-7392")
    assert pkgs.severity is Severity.MEDIUM and "vuln" in pkgs.tags
    assert "vulnerable packages: openssl, libssl3" in pkgs.evidence
    assert "apt-get update" in pkgs.evidence  # the suggestion's text is kept too


def test_tests_reach_the_mlps_mapping() -> None:
    findings = parse(FMT, REPORT)
    assert "L3-ABS1-07" in unit_ids_for(one(findings, rule_id="FIRE-4512"), 3)
    assert "L3-CES1-21" in unit_ids_for(one(findings, rule_id="PKGS-7392"), 3)


def test_clean_report_yields_nothing() -> None:
    assert parse(FMT, CLEAN) == []


def test_interrupted_report_is_refused(tmp_path: Path) -> None:
    """Without finish=true the missing items would all be marked fixed: refuse it."""
    cut = tmp_path / "report.dat"
    cut.write_text(REPORT.read_text().replace("finish=true\n", ""), encoding="utf-8")
    with pytest.raises(DataError, match="no finish=true"):
        parse(FMT, cut)


def test_a_line_that_is_not_key_value_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "report.dat"
    bad.write_text("# Lynis Report\nlynis_version=3.0.8\nwarning[]=X-1|y|-|-|\ngarbage\n")
    with pytest.raises(DataError) as err:
        parse(FMT, bad)
    # the line is named, its text is not quoted (a file given as a report may be any file)
    assert err.value.line == 4 and "not a key=value line" in str(err.value)
    assert "garbage" not in str(err.value)


def test_binary_content_is_a_data_error(tmp_path: Path) -> None:
    bad = tmp_path / "report.dat"
    bad.write_bytes(b"# Lynis Report\nhostname=\xff\xfe\n")
    with pytest.raises(DataError, match="not UTF-8"):
        parse(FMT, bad)


def test_a_real_quick_audit_of_debian_12() -> None:
    """`lynis audit system --quick` (3.0.8) run here: warnings are medium, a warning and the
    suggestion of the same test are one finding, suggestions of one test stay apart."""
    findings = parse(FMT, ASSETS / "lynis" / "lynis-3.0.8-debian12-quick.dat")
    warned = [f for f in findings if f.severity is Severity.MEDIUM]
    assert sorted(f.rule_id for f in warned) == ["LOGG-2138", "NETW-2705", "PKGS-7392"]
    assert len([f for f in findings if f.rule_id == "PKGS-7392"]) == 1
    assert len({f.location for f in findings if f.rule_id == "SSH-7408"}) == 10
    assert len([f for f in findings if f.rule_id == "NETW-3200"]) == 4
    assert {f.asset_key for f in findings} == {"192.0.2.2"}  # its address, not "vm"
