from __future__ import annotations

import json
from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

FMT = "nikto_json"


def test_json_and_xml_of_one_scan_share_identities() -> None:
    xml = {f.fingerprint: f for f in parse("nikto", corpus_file("nikto/tdh.xml"))}
    js = {f.fingerprint: f for f in parse(FMT, corpus_file("nikto/tdh.json"))}
    assert set(xml) <= set(js)  # the same five, the random probe name included
    extra = sorted((f.rule_id, f.location) for k, f in js.items() if k not in xml)
    # the JSON run found two more: junk methods (normalised) and a default account
    assert extra == [("700007", "443/tcp GET /status"), ("999967", "443/tcp <junk> /")]


def test_item_fields() -> None:
    findings = parse(FMT, corpus_file("nikto/juice-shop.json"))
    hsts = one(findings, rule_id="999970")
    assert (hsts.asset_key, hsts.port, hsts.location) == ("juice-shop.herokuapp.com", 443,
                                                         "443/tcp GET /")  # fmt: skip
    assert hsts.tags == ("web", "tls")
    backups = [f for f in findings if f.rule_id == "740001"]
    assert len(backups) == 140 and len({f.location for f in backups}) == 140


def test_a_list_of_targets_and_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "multi.json"
    path.write_text(json.dumps([
        {"host": "a.example.cn", "ip": "10.0.0.1", "port": "80", "banner": "",
         "vulnerabilities": [{"id": "999986", "OSVDB": "0", "method": "GET", "url": "/",
                              "msg": "Retrieved x-powered-by header: PHP/5.6"}]},
        {"host": "b.example.cn", "ip": "10.0.0.2", "port": "80", "banner": "",
         "vulnerabilities": []},
    ]))  # fmt: skip
    (f,) = parse(FMT, path)
    assert (f.asset_key, f.location) == ("a.example.cn", "80/tcp GET /")


def test_report_without_vulnerabilities_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text('{"host": "a.example.cn", "ip": "10.0.0.1", "port": "443", "banner": "",'
                    ' "vulnerabilities": []}')  # fmt: skip
    assert parse(FMT, path) == []
