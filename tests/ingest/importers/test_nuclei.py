from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.ingest import detect, read_file
from cityguard.model import Severity

FMT = "nuclei"


def test_old_jsonl_keys() -> None:
    findings = parse(FMT, corpus_file("nuclei/many_findings.json"))
    ssh = one(findings, rule_id="openssh5.3-detect")
    assert (ssh.asset_kind, ssh.asset_key, ssh.port) == ("host", "nuclei-example.com", 22)
    assert ssh.severity is Severity.LOW and ssh.tags == ("port",)
    assert ssh.last_seen == "2021-05-20T08:11:01Z"  # +03:00 converted to UTC
    web = one(findings, rule_id="tech-detect:bootstrap", location="http://127.0.0.1:9090/WebWolf")
    assert (web.asset_kind, web.asset_key, web.port) == ("url", "http://127.0.0.1:9090", 9090)
    assert web.title == "Wappalyzer Technology Detection (bootstrap)" and web.tags == ("web",)
    # invalid CWE values (nvd-cve-other) are dropped, not turned into junk ids
    [mysql] = parse(FMT, corpus_file("nuclei/invalid_cwe.json"))
    assert mysql.cwes == () and mysql.port == 3306


def test_v3_array_and_extracted_values() -> None:
    findings = parse(FMT, corpus_file("nuclei/multiple_v3.json"))
    tls = sorted(f.location for f in findings if f.rule_id == "tls-version")
    assert tls == ["www.asdf.de:443 [tls12]", "www.asdf.de:443 [tls13]"]
    assert all(f.tags == ("tls",) for f in findings if f.rule_id == "tls-version")


def test_v3_jsonl_fields_and_volatile_extractions() -> None:
    findings = parse(FMT, corpus_file("nuclei/issue_14071.json"))
    login = one(findings, rule_id="dvwa-default-login")
    assert login.severity is Severity.CRITICAL and login.cwes == ("CWE-798",)
    assert (login.asset_key, login.port) == ("http://dvwa_dvwa_1", 80)
    assert login.location == "http://dvwa_dvwa_1/index.php" and "config" in login.tags
    # a Set-Cookie line (session id, date) would change every scan: not part of the identity
    samesite = one(findings, rule_id="missing-cookie-samesite-strict")
    assert samesite.location == "http://dvwa_dvwa_1/"
    # nuclei ≥ 3.3 writes url as "/http://…": the leading slash is not part of the target
    cookie = one(findings, rule_id="cookies-without-httponly")
    assert cookie.location == "http://dvwa_dvwa_1/ [PHPSESSID,security]"
    # a result naming no target at all still imports
    ns = one(findings, rule_id="nameserver-fingerprint")
    assert ns.asset_key == "unknown"


def test_unicode_and_identities_are_stable() -> None:
    path = corpus_file("nuclei/issue_14071.json")
    assert [f.fingerprint for f in parse(FMT, path)] == [f.fingerprint for f in parse(FMT, path)]


def test_empty_reports(tmp_path: Path) -> None:
    empty = corpus_file("nuclei/empty.jsonl")
    assert detect(empty).name == "empty"  # 0 bytes: the format cannot be told
    assert read_file(empty, FMT).findings == []
    assert parse_bytes(FMT, b"[]", tmp_path) == []
    assert parse_bytes(FMT, b"\n\n", tmp_path) == []


def test_array_export_with_a_bom(tmp_path: Path) -> None:
    item = {"template-id": "x", "info": {"name": "X", "severity": "high"}, "type": "http",
            "matched-at": "https://a.example/login"}  # fmt: skip
    data = b"\xef\xbb\xbf" + json.dumps([item]).encode()
    [f] = parse_bytes(FMT, data, tmp_path)
    assert (f.asset_key, f.port, f.severity) == ("https://a.example", 443, Severity.HIGH)
