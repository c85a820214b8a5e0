from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import (
    assert_detected,
    assert_truncated_fails,
    asset,
    corpus_file,
    one,
    parse,
    parse_bytes,
)

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "pip_audit"


def test_both_shapes_give_the_same_identities() -> None:
    old = parse(FMT, corpus_file("pip-audit/many_vulns.json"))
    new = parse(FMT, corpus_file("pip-audit/many_vulns_new.json"))
    assert {f.fingerprint for f in old} == {f.fingerprint for f in new}
    django = one(new, rule_id="PYSEC-2021-439")
    assert (django.asset_key, django.location) == (".", "django")
    assert django.severity is Severity.MEDIUM and django.tags == ("vuln", "dependency")
    assert django.solution == "Upgrade django to 2.2.25 or 3.1.14 or 3.2.10"
    lxml = one(new, location="lxml")
    assert lxml.solution == "No fixed version is published yet."


def test_cve_alias_is_the_rule_and_skipped_packages_are_not_findings() -> None:
    [f] = parse(FMT, asset("pip_audit/aliases.json"))
    assert f.rule_id == "CVE-2020-28493" and f.location == "jinja2"
    assert f.cves == ("CVE-2020-28493",) and f.extra["id"] == "GHSA-g3rq-g295-4j3m"
    assert_detected(FMT, asset("pip_audit/aliases.json"))


def test_dependency_check_json_is_not_claimed(tmp_path: Path) -> None:
    head = b'{"reportSchema": "1.1", "scanInfo": {}, "dependencies": []}'
    path = tmp_path / "dc.json"
    path.write_bytes(head)
    from cityguard.ingest import get_importer

    assert get_importer(FMT).sniff(head) == 0


def test_bad_and_truncated_input(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no dependency list"):
        parse_bytes(FMT, b'{"x": 1}', tmp_path)
    assert_truncated_fails(FMT, corpus_file("pip-audit/many_vulns_new.json"), tmp_path)
