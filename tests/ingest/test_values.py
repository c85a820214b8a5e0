"""The shared importer values: severity scales, numbers, CVE/CWE ids and secret redaction."""

from __future__ import annotations

import pytest

from cityguard.ingest import values
from cityguard.model import Severity


@pytest.mark.parametrize(
    ("raw", "scale", "expected"),
    [
        ("Critical", "word", Severity.CRITICAL), ("moderate", "word", Severity.MEDIUM),
        ("Negligible", "word", Severity.INFO), ("-", "word", Severity.INFO),
        ("UNKNOWN", "word", Severity.INFO), (None, "word", Severity.INFO),
        ("0", "nessus", Severity.INFO), (4, "nessus", Severity.CRITICAL),
        ("1", "qualys", Severity.INFO), ("2", "qualys", Severity.LOW),
        ("5", "qualys", Severity.CRITICAL), ("3", "zap", Severity.HIGH),
        ("9.0", "cvss", Severity.CRITICAL), (6.9, "cvss", Severity.MEDIUM),
        ("", "cvss", Severity.INFO), ("x", "nessus", Severity.INFO),
    ],
)
def test_norm_severity(raw: object, scale: str, expected: Severity) -> None:
    assert values.norm_severity(raw, scale) is expected


def test_numbers() -> None:
    assert values.to_float(" 7.5 ") == 7.5 and values.to_float("N/A") is None
    assert values.to_float(True) is None and values.to_int("443") == 443
    assert values.to_int(float("nan")) is None


def test_split_ids() -> None:
    assert values.split_cves("cve-2021-44228,CVE-2021-44228 ; CVE-2014-0160") == (
        "CVE-2021-44228", "CVE-2014-0160")
    assert values.split_cves(["CVE-2020-0001", None]) == ("CVE-2020-0001",)
    assert values.split_cwes(["external/cwe/cwe-79", "CWE-89", 352, "-1", "0", "nvd-cve-other"]) \
        == ("CWE-79", "CWE-89", "CWE-352")
    assert values.split_cwes("CWE-79, CWE-79") == ("CWE-79",)


def test_redact_keeps_no_prefix_of_a_secret() -> None:
    text = ('aws_key = "AKIAIOSFODNN7EXAMPLE" password=hunter2hunter2 '
            "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123")
    out = values.redact(text, ["hunter2hunter2"])
    for secret in ("AKIAIOSFODNN7EXAMPLE", "hunter2", "abcdefghij", "AKIA"):
        assert secret not in out
    assert out.count("***") == 3
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"
    assert values.redact(f"x {key} y") == "x *** y"
    assert values.redact(None) == ""


def test_severity_word_else_cvss_band() -> None:
    assert values.severity_or_cvss("Moderate", 9.8) is Severity.MEDIUM  # the word wins
    assert values.severity_or_cvss("", 9.8) is Severity.CRITICAL
    assert values.severity_or_cvss("", None) is Severity.INFO


def test_finding_text_helpers() -> None:
    assert values.first_line("SQL injection\nin the login form") == "SQL injection"
    assert values.first_line("x" * 300) == "x" * 200 and values.first_line("abc", 2) == "ab"
    assert values.first_line("") == ""
    assert values.file_location("app/db.py", 12) == "app/db.py:12"
    assert values.file_location("app/db.py", None) == "app/db.py"
    assert values.file_location("app/db.py", 0) == "app/db.py"
    assert values.unique_refs(["https://a", None, "", "https://b", "https://a"]) == (
        "https://a", "https://b")
    assert values.upgrade_advice("openssl", "3.0.8") == "Upgrade openssl to 3.0.8"
    assert values.upgrade_advice("openssl", "") == ""
    assert values.suppressed_by("nosemgrep") == {"kind": "nosemgrep", "status": "accepted",
                                                 "justification": None}
    assert values.suppressed_by("vex", "not affected", "false_positive")["status"] \
        == "false_positive"
