"""gosec JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/gosec/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest import gaps_of, get_importer
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "gosec"


def test_line_ranges_cwes_and_crypto_mapping() -> None:
    findings = parse(FMT, asset("gosec/many_vulns.json"))
    sqli = one(findings, rule_id="G201")
    assert sqli.location.endswith("vulnerability/sqli/function.go:36")  # "36-39" → its first line
    assert sqli.cwes == ("CWE-89",) and sqli.severity is Severity.MEDIUM
    assert sqli.extra["confidence"] == "HIGH"
    # csa.go's G401 carries no cwe object (older gosec): the documented CWE-328 fills it
    csa = "/vagrant/go/src/govwa/vulnerability/csa/csa.go:62"
    weak_hash = one(findings, rule_id="G401", location=csa)
    assert weak_hash.cwes == ("CWE-328",)
    assert "L3-CES1-25" in unit_ids_for(weak_hash, 3)  # weak hashes: the crypto items


def test_nosec_is_accepted_and_an_empty_tree_is_a_gap(tmp_path: Path) -> None:
    issue = {"severity": "HIGH", "confidence": "HIGH", "rule_id": "G101", "details": "Potential "
             "hardcoded credentials", "file": "/src/app/main.go", "code": 'pw := "hunter2secret"',
             "line": "7", "column": "2", "nosec": True,
             "suppressions": [{"kind": "inSource", "justification": "test fixture"}]}  # fmt: skip
    body = json.dumps({"Golang errors": {}, "Issues": [issue], "Stats": {"files": 1}}).encode()
    (f,) = parse_bytes(FMT, body, tmp_path)
    assert f.status == "accepted" and f.extra["suppression"]["justification"] == "test fixture"
    assert "hunter2secret" not in f.evidence and "secret" in f.tags
    empty = tmp_path / "empty.json"
    empty.write_text('{"Golang errors": {}, "Issues": [], "Stats": {"files": 0, "lines": 0, '
                     '"nosec": 0, "found": 0}}')  # fmt: skip
    importer = get_importer(FMT)
    with empty.open("rb") as fh:
        assert list(importer.parse(fh, str(empty))) == []
    assert [g.kind for g in gaps_of(importer)] == ["nothing_scanned"]


@pytest.mark.parametrize("body", [b'[{"rule_id": "G104"}]', b'{"Issues": [{"line": "3"}]}',
                                  b'{"Issues": [{"rule_id": "G1'])  # fmt: skip
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
