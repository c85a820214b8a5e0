"""ssh-audit JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/ssh_audit/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "ssh_audit"


def test_weak_algorithms_reach_the_remote_administration_and_transmission_items() -> None:
    findings = parse(FMT, asset("ssh_audit/ssh-audit_3.9.0_weak_sshd.json"))
    md5 = one(findings, rule_id="mac:hmac-md5")
    assert md5.severity is Severity.HIGH and md5.severity_raw == "fail"
    assert md5.extra["software"] == "OpenSSH_9.2p1" and md5.port == 2222
    rsa = one(findings, rule_id="key:ssh-rsa")
    assert "key size 2048 bits" in rsa.evidence and "fail: using broken SHA-1" in rsa.evidence
    for level, units in ((3, {"L3-CES1-03", "L3-CNS1-06", "L3-CNS1-07"}),
                         (2, {"L2-CES1-03", "L2-CNS1-03"})):  # fmt: skip
        assert units <= set(unit_ids_for(md5, level))


def test_cves_of_the_server_software_come_by_their_score() -> None:
    findings = parse(FMT, asset("ssh_audit/many_vulns.json"))
    cve = one(findings, rule_id="CVE-2020-15778")
    assert cve.cves == ("CVE-2020-15778",) and cve.cvss_score == 7.8
    assert cve.severity is Severity.HIGH and "L3-CES1-21" in unit_ids_for(cve, 3)
    assert one(findings, rule_id="CVE-2016-20012").severity is Severity.MEDIUM


@pytest.mark.parametrize("body", [b'{"banner": {}, "kex": {}}', b'{"kex": [], "enc": []}',
                                  b'[{"kex": []}]'])  # fmt: skip
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
