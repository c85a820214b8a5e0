from __future__ import annotations

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "nikto"


def test_item_fields_and_nested_niktoscan() -> None:
    findings = parse(FMT, corpus_file("nikto/tdh.xml"))
    header = one(findings, rule_id="999100", location="443/tcp GET /")
    assert (header.asset_kind, header.asset_key, header.port) == ("host", "www.tdh.com", 443)
    assert "'x-cache'" in header.evidence and "'x-cacheable'" in header.evidence
    assert header.severity is Severity.INFO and header.tags == ("web",)
    assert header.last_seen == "2021-04-26T08:33:16"  # starttime; the 1970 scanend is ignored
    assert header.extra["ip"] == "64.220.43.153"
    robots = one(findings, rule_id="999996")
    assert robots.location == "443/tcp GET /robots.txt"


def test_random_probe_names_do_not_enter_the_identity() -> None:
    findings = parse(FMT, corpus_file("nikto/tdh.xml"))
    probe = one(findings, rule_id="999100", location="443/tcp GET /<random>.")
    assert "x-redirect-by" in probe.evidence  # probed as /iqeVqbOU. in this run


def test_several_targets_in_one_report() -> None:
    findings = parse(FMT, corpus_file("nikto/nikto-report-many-vuln.xml"))
    assert {f.asset_key for f in findings} == {
        "192.168.0.24",
        "192.168.0.20",
        "192.168.0.65",
        "192.168.0.49",
    }
    osvdb = one(findings, rule_id="001885")
    assert osvdb.references == ("OSVDB-3092",) and osvdb.location == "443/tcp GET /system/"
