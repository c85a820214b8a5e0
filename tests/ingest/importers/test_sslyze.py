from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import (
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.core.errors import DataError
from cityguard.ingest import get_importer
from cityguard.model import Severity

FMT = "sslyze"


def test_sslyze3_checks() -> None:
    findings = parse(FMT, corpus_file("sslyze/one_target_many_vuln_old.json"))
    hb = one(findings, rule_id="heartbleed")
    assert (hb.asset_kind, hb.asset_key, hb.port, hb.location) == (
        "host", "www.example.com", 443, "443/tcp")  # fmt: skip
    assert hb.severity is Severity.CRITICAL and hb.cves == ("CVE-2014-0160",)
    assert hb.tags == ("tls", "vuln")
    weak = one(findings, rule_id="weak-cipher-suites")
    assert "TLS 1.1: TLS_RSA_WITH_RC4_128_SHA" in weak.evidence
    assert weak.severity is Severity.MEDIUM and weak.tags == ("tls",)
    assert one(findings, rule_id="insecure-renegotiation").cves == ("CVE-2009-3555",)


def test_sslyze5_checks_and_big_integers() -> None:
    # the certificates carry integers beyond 64 bits (RSA moduli): numbers are read exactly
    findings = parse(FMT, corpus_file("sslyze/two_targets_many_vuln_new.json"))
    assert sorted((f.asset_key, f.rule_id) for f in findings) == [
        ("example.com", "weak-cipher-suites"),
        ("example2.com", "tls1.0-accepted"),
        ("example2.com", "tls1.1-accepted"),
    ]
    assert all(f.last_seen == "2022-01-17T17:23:27Z" for f in findings)


def _zero_vuln(**changes: object) -> dict:
    report = json.loads(corpus_file("sslyze/one_target_zero_vuln_new.json").read_text())
    report.update(changes)
    return report


def test_expiry_is_judged_against_the_scan_date(tmp_path: Path) -> None:
    # the leaf expires 2023-01-19; scanned in 2024 it is expired, scanned in 2022 it was not
    late = _zero_vuln(date_scans_started="2024-03-01T00:00:00")
    [f] = parse_bytes(FMT, json.dumps(late).encode(), tmp_path)
    assert (f.rule_id, f.severity) == ("cert-expired", Severity.HIGH)
    assert "not after 2023-01-19T04:39:56Z" in f.evidence


def test_unreachable_servers(tmp_path: Path) -> None:
    report = _zero_vuln()
    down = {"server_location": {"hostname": "down.example.cn", "port": 443},
            "scan_status": "ERROR_NO_CONNECTIVITY", "scan_result": None}  # fmt: skip
    report["server_scan_results"] = [down]
    with pytest.raises(DataError, match="could not connect to: down.example.cn"):
        parse_bytes(FMT, json.dumps(report).encode(), tmp_path)
    report["server_scan_results"] = [down, *_zero_vuln()["server_scan_results"]]
    importer = get_importer(FMT)
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(report))
    assert list(importer.parse(path.open("rb"), str(path))) == []
    assert importer.scanned == {("sslyze", "example.com")}
