from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import (
    assert_truncated_fails,
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "sslyze_xml"


def test_fields_match_the_json_importer() -> None:
    findings = parse(FMT, corpus_file("sslyze/report_one_target_one_vuln.xml"))
    chain = one(findings, rule_id="cert-untrusted")
    assert (chain.tool, chain.asset_key, chain.port) == ("sslyze", "www.target.com", 443)
    assert chain.severity is Severity.HIGH and "Mozilla: certificate has expired" in chain.evidence
    sha1 = one(findings, rule_id="cert-sha1-signature")
    assert sha1.severity is Severity.MEDIUM and sha1.location == "443/tcp"


def test_weak_protocols_and_ciphers(tmp_path: Path) -> None:
    xml = b"""<?xml version="1.0"?><document SSLyzeVersion="2.0.6"><results>
      <target host="legacy.example.cn" ip="10.1.1.1" port="8443">
        <sslv3 isProtocolSupported="True"><acceptedCipherSuites>
          <cipherSuite name="TLS_RSA_EXPORT_WITH_RC4_40_MD5" anonymous="False"/>
        </acceptedCipherSuites></sslv3>
        <heartbleed><openSslHeartbleed isVulnerable="True"/></heartbleed>
        <reneg><sessionRenegotiation canBeClientInitiated="False" isSecure="True"/></reneg>
      </target></results></document>"""
    findings = parse_bytes(FMT, xml, tmp_path, "legacy.xml")
    assert sorted(f.rule_id for f in findings) == ["heartbleed", "ssl3-accepted",
                                                   "weak-cipher-suites"]  # fmt: skip
    assert one(findings, rule_id="weak-cipher-suites").severity is Severity.HIGH  # EXPORT
    assert one(findings, rule_id="ssl3-accepted").cves == ("CVE-2014-3566",)


def test_hostile_xml_is_refused(tmp_path: Path) -> None:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<document SSLyzeVersion="2.0.6"><results><target host="&x;" port="443"/></results>'
           b"</document>")  # fmt: skip
    with pytest.raises(DataError, match="refused"):
        parse_bytes(FMT, xxe, tmp_path, "xxe.xml")


def test_empty_and_truncated(tmp_path: Path) -> None:
    empty = b'<?xml version="1.0"?><document SSLyzeVersion="2.0.6"><results/></document>'
    assert parse_bytes(FMT, empty, tmp_path, "empty.xml") == []
    assert_truncated_fails(FMT, corpus_file("sslyze/report_one_target_one_vuln.xml"), tmp_path)
