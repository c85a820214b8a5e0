"""Acunetix (AWVS) XML: what is particular to it (the shared tests run every sample in
tests/assets/ingest/acunetix/samples.yaml, the hostile-XML test included)."""

from __future__ import annotations

from pathlib import Path

from importer_helpers import asset, parse, parse_bytes

from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "acunetix"


def test_one_alert_per_cookie_stays_apart() -> None:
    findings = parse(FMT, asset("acunetix/XML_http_example_co_id_.xml"))
    rule = "Cookie(s) without HttpOnly flag set (verified)"
    httponly = [f for f in findings if f.rule_id == rule]
    assert len(httponly) == 6 and len({f.fingerprint for f in httponly}) == 6
    assert any("JSESSIONID" in f.evidence for f in httponly)
    assert all(f.location == "/" and f.severity is Severity.LOW for f in httponly)


def test_fields_times_cwe_and_mapping() -> None:
    findings = parse(FMT, asset("acunetix/XML_http_example_co_id_.xml"))
    csrf = findings[0]
    assert csrf.cwes == ("CWE-352",) and csrf.tags == ("web",)
    assert (csrf.first_seen, csrf.last_seen) == ("2020-04-28T05:36:46", "2020-04-28T06:07:03")
    clear = next(f for f in findings if f.rule_id.startswith("Unencrypted connection"))
    assert "tls" in clear.tags and unit_ids_for(clear, 3)


def test_false_positive_flag_and_a_digit_only_change(tmp_path: Path) -> None:
    data = asset("acunetix/many_findings.xml").read_bytes()
    before = {f.fingerprint for f in parse(FMT, asset("acunetix/many_findings.xml"))}
    rescan = data.replace(b"10001", b"10421", 1).replace(
        b"<IsFalsePositive><![CDATA[]]>", b"<IsFalsePositive><![CDATA[True]]>", 1)
    findings = parse_bytes(FMT, rescan, tmp_path, "rescan.xml")
    assert {f.fingerprint for f in findings} == before  # a timing differs: same results
    assert [f.status for f in findings].count("false_positive") == 1
