from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    asset,
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.ingest import gaps_of, get_importer, read_file
from cityguard.ingest.mapping import unit_ids_for
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
        ("example.com", "cert-long-lifespan"),
        ("example.com", "cipher-suites-not-recommended"),
        ("example.com", "weak-cipher-suites"),
        ("example2.com", "cipher-suites-not-recommended"),
        ("example2.com", "tls-curves-not-recommended"),
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
    [f] = [x for x in parse_bytes(FMT, json.dumps(late).encode(), tmp_path)
           if x.rule_id.startswith("cert-")]  # fmt: skip
    assert (f.rule_id, f.severity) == ("cert-expired", Severity.HIGH)
    assert "not after 2023-01-19T04:39:56Z" in f.evidence


def test_unreachable_servers(tmp_path: Path) -> None:
    report = _zero_vuln()
    down = {"server_location": {"hostname": "down.example.cn", "port": 443},
            "scan_status": "ERROR_NO_CONNECTIVITY", "scan_result": None}  # fmt: skip
    report["server_scan_results"] = [down]
    path = tmp_path / "down.json"
    path.write_text(json.dumps(report))
    imported = read_file(path)  # no server reached: no finding, the scan did not run
    assert imported.findings == [] and [g.kind for g in imported.gaps] == ["scan_failed"]
    assert "could not connect to down.example.cn" in imported.gaps[0].fields["detail"]
    report["server_scan_results"] = [down, *_zero_vuln()["server_scan_results"]]
    importer = get_importer(FMT)
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(report))
    assert {f.asset_key for f in importer.parse(path.open("rb"), str(path))} == {"example.com"}
    assert importer.scanned == {("sslyze", "example.com")}
    assert [g.kind for g in gaps_of(importer)] == ["targets_unreachable"]


def test_every_problem_of_sslyzes_mozilla_check_is_derived() -> None:
    """sslyze 6 against a TLS 1.0 server with a self-signed RSA-1024 SHA-1 certificate: its own
    Mozilla "intermediate" check printed 8 problems; each is a finding (the SHA-1 signature was
    not derived before, since the verified chain of an untrusted certificate is empty)."""
    findings = parse(FMT, asset("sslyze/mozilla-intermediate.json"))
    rules = {f.rule_id: f for f in findings}
    assert set(rules) == {
        "cert-untrusted", "cert-weak-key", "cert-long-lifespan", "cert-sha1-signature",
        "tls1.0-accepted", "weak-cipher-suites", "cipher-suites-not-recommended",
        "weak-dh-params", "tls-curves-not-recommended",
    }  # fmt: skip
    assert rules["cert-sha1-signature"].evidence == "leaf signature hash sha1"
    assert rules["cert-long-lifespan"].evidence == "800 days (at most 366)"
    assert rules["tls-curves-not-recommended"].evidence == "X448, secp521r1"
    assert all("tls" in f.tags for f in findings)
    assert "L3-CNS1-07" in unit_ids_for(rules["cert-sha1-signature"], 3)
