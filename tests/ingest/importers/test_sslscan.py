"""sslscan XML: what is particular to it (the shared tests run every sample in
tests/assets/ingest/sslscan/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "sslscan"


def test_sslscans_own_strength_decides_and_tls_maps_to_transport_items() -> None:
    findings = parse(FMT, asset("sslscan/sslscan_2.0.7_weak_tls.xml"))
    weak = one(findings, rule_id="weak-cipher-suites")
    assert weak.severity is Severity.HIGH  # anonymous suites: no authentication at all
    assert "TLSv1.2: ADH-AES256-GCM-SHA384 (anonymous)" in weak.evidence
    assert "ECDHE-RSA-AES256-GCM-SHA384" not in weak.evidence  # rated strong by sslscan
    assert one(findings, rule_id="cert-weak-key").evidence == "1024 bits"
    for f in findings:
        units = unit_ids_for(f, 3)
        assert {"L3-CNS1-06", "L3-CNS1-07"} <= set(units), (f.rule_id, units)


def test_old_sslscan_without_strength_is_judged_by_suite_name(tmp_path: Path) -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<document title="SSLScan Results" version="1.10.2" web="http://github.com/rbsec/sslscan">
 <ssltest host="10.1.0.5" port="443">
  <cipher status="preferred" sslversion="TLSv1.0" bits="128" cipher="RC4-SHA" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="256" cipher="AES256-SHA256" />
 </ssltest>
</document>"""
    findings = parse_bytes(FMT, body, tmp_path, "old.xml")
    assert [f.rule_id for f in findings] == ["tls1.0-accepted", "weak-cipher-suites"]
    assert findings[1].severity is Severity.MEDIUM and "RC4-SHA" in findings[1].evidence


def test_a_test_without_host_is_one_data_error(tmp_path: Path) -> None:
    body = b'<document title="SSLScan Results"><ssltest port="443"></ssltest></document>'
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path, "nohost.xml")
    assert "nohost.xml" in str(err.value) and "\n" not in err.value.one_line()
