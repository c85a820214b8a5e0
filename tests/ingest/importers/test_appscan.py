"""HCL/IBM AppScan XML: what is particular to it (the shared tests run every sample in
tests/assets/ingest/appscan/samples.yaml, the hostile-XML test included)."""

from __future__ import annotations

from importer_helpers import asset, one, parse, parse_unseekable

from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "appscan"


def test_lookups_resolve_type_url_and_parameter() -> None:
    findings = parse(FMT, asset("appscan/issue_9279.xml"))
    assert {f.asset_key for f in findings} == {"https://demo.testfire.net"}
    cookie = one(findings, rule_id="attSameSiteCookie")
    assert cookie.location == "/ [JSESSIONID]" and cookie.extra["entity_type"] == "cookie"
    cached = [f for f in findings if f.rule_id == "attCachedSSL"]
    assert len(cached) == len({f.location for f in cached}) == 6  # one per page
    old_tls = one(findings, rule_id="OldTLS")
    assert "tls" in old_tls.tags and old_tls.cwes == ("CWE-327",) and unit_ids_for(old_tls, 3)


def test_cloud_export_urls_from_traffic_without_session_ids() -> None:
    findings = parse(FMT, asset("appscan/many_findings.xml"))
    assert not any("jsessionid" in f.location.lower() for f in findings)
    login = findings[0]  # register.action has two: password and its confirmation
    assert login.title == "Unencrypted Login Request" and "tls" in login.tags
    assert login.cvss_score == 8.2 and login.severity is Severity.HIGH
    assert login.evidence.startswith("AppScan identified a password parameter")


def test_a_pipe_reads_the_same() -> None:
    path = asset("appscan/issue_9279.xml")
    assert [f.fingerprint for f in parse_unseekable(FMT, path)] == [
        f.fingerprint for f in parse(FMT, path)]
