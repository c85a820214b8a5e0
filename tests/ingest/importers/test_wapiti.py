"""Wapiti JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/wapiti/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "wapiti"
SAMPLE = "wapiti/wapiti_3.2.3_local_site.json"


def test_each_parameter_is_its_own_finding_with_the_cwe_of_its_category() -> None:
    findings = parse(FMT, asset(SAMPLE))
    xss = [f for f in findings if f.rule_id == "Reflected Cross Site Scripting"]
    assert sorted(f.location for f in xss) == ["GET /page [id]", "GET /search [q]"]
    assert all(f.severity is Severity.MEDIUM and f.cwes == ("CWE-79",) for f in xss)
    assert "L3-CES1-20" in unit_ids_for(xss[0], 3)  # input validation / web application flaws
    methods = [f for f in findings if f.rule_id == "HTTP Methods"]
    assert len(methods) == 3 and all(f.severity is Severity.INFO for f in methods)


def test_results_differing_only_in_text_fold_into_one(tmp_path: Path) -> None:
    data = json.loads(asset(SAMPLE).read_text(encoding="utf-8"))
    cookie = data["vulnerabilities"]["HttpOnly Flag cookie"][0]
    other = dict(cookie, info="HttpOnly flag is not set in the cookie : token")
    data["vulnerabilities"]["HttpOnly Flag cookie"].append(other)
    findings = parse_bytes(FMT, json.dumps(data).encode(), tmp_path)
    folded = one(findings, rule_id="HttpOnly Flag cookie")
    assert "cookie : session" in folded.evidence and "cookie : token" in folded.evidence


@pytest.mark.parametrize("body", [b'{"vulnerabilities": []}', b'{"vulnerabilities": {"X": [1]}}',
                                  b'[{"vulnerabilities": {}}]'])  # fmt: skip
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
