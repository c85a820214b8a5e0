from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import (
    assert_detected,
    asset,
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.core.errors import DataError
from cityguard.ingest import get_importer, read_file
from cityguard.model import Severity

FMT = "testssl"


def test_a_scan_that_reached_no_target_is_a_coverage_gap() -> None:
    imported = read_file(corpus_file("testssl/failed_target.csv"))
    assert imported.findings == []
    [gap] = imported.gaps
    assert gap.kind == "scan_failed" and "testssl.target.de:443" in gap.fields["detail"]


def test_csv_fields() -> None:
    findings = parse(FMT, corpus_file("testssl/overall_critical.csv"))
    tls1 = one(findings, rule_id="TLS1")
    assert (tls1.asset_kind, tls1.asset_key, tls1.port, tls1.location) == (
        "host", "www.test.com", 443, "443/tcp")  # fmt: skip
    assert tls1.severity is Severity.LOW and tls1.tags == ("tls",)
    beast = one(findings, rule_id="BEAST_CBC_TLS1")
    assert beast.cves == ("CVE-2011-3389",) and beast.cwes == ("CWE-20",)
    assert beast.tags == ("tls", "vuln")
    chain = one(findings, rule_id="cert_chain_of_trust")
    assert chain.severity is Severity.CRITICAL
    padded = one(findings, rule_id="cipher-tls1_xc019")
    assert "  " not in padded.title  # testssl's padded cipher columns are collapsed


def test_flat_json_skips_info_warn_and_unreachable_targets() -> None:
    findings = parse(FMT, asset("testssl/flat.json"))
    assert sorted(f.rule_id for f in findings) == ["SSLv3", "TLS1", "cert_expirationStatus"]
    ssl3 = one(findings, rule_id="SSLv3")
    assert (ssl3.asset_key, ssl3.severity, ssl3.cves) == (
        "shop.example.cn", Severity.HIGH, ("CVE-2014-3566",))  # fmt: skip
    importer = get_importer(FMT)
    list(importer.parse(asset("testssl/flat.json").open("rb"), "flat.json"))
    assert importer.scanned == {("testssl", "shop.example.cn")}  # the failed host: not scanned
    assert_detected(FMT, asset("testssl/flat.json"))


def test_pretty_json() -> None:
    findings = parse(FMT, asset("testssl/pretty.json"))
    assert sorted(f.rule_id for f in findings) == ["HSTS", "SWEET32", "TLS1_1"]
    sweet = one(findings, rule_id="SWEET32")
    assert (sweet.asset_key, sweet.port) == ("10.0.0.7", 8443)
    assert sweet.cves == ("CVE-2016-2183", "CVE-2016-6329") and sweet.cwes == ("CWE-327",)
    assert_detected(FMT, asset("testssl/pretty.json"))


def test_unknown_severity_is_bad_input(tmp_path: Path) -> None:
    data = (
        b'"id","fqdn/ip","port","severity","finding","cve","cwe"\n'
        b'"x","h/1.2.3.4","443","BAD","f","",""\n'
    )
    with pytest.raises(DataError, match="unknown severity"):
        parse_bytes(FMT, data, tmp_path, "t.csv")


def test_a_real_run_against_openssl_s_server() -> None:
    """testssl 3.0.8 against `openssl s_server` on 127.0.0.1 with a self-signed certificate."""
    findings = parse(FMT, asset("testssl/s_server-127.0.0.1.json"))
    chain = one(findings, rule_id="cert_chain_of_trust")
    assert chain.severity is Severity.CRITICAL and chain.location == "33519/tcp"
    lucky = one(findings, rule_id="LUCKY13")
    assert lucky.cves == ("CVE-2013-0169",) and lucky.cwes == ("CWE-310",)
    assert lucky.severity is Severity.LOW and "tls" in lucky.tags
    assert {f.asset_key for f in findings} == {"127.0.0.1"}
