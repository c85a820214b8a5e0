"""GitHub Dependabot alerts (GraphQL): what is particular to it (the shared tests run every
sample in tests/assets/ingest/github_dependabot/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for

FMT = "github_dependabot"


def test_alert_fields_and_mapping() -> None:
    (f,) = parse(FMT, asset("github_dependabot/github_h2.json"))
    assert f.cves == ("CVE-2021-42392",) and f.cwes == ("CWE-502",)
    assert f.cvss_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert f.tags == ("vuln", "dependency") and f.first_seen == "2022-05-09T09:43:40Z"
    assert {"L3-CES1-21", "L3-MMS1-13"} <= set(unit_ids_for(f, 3))


def test_patched_version_and_pull_request() -> None:
    (f,) = parse(FMT, asset("github_dependabot/github-vuln-version.json"))
    assert f.solution == "Upgrade org.springframework:spring-web to 6.0.0"
    assert f.extra["pull_request"].endswith("/pull/1")


def test_dismissed_alerts_are_accepted_fixed_ones_closed(tmp_path: Path) -> None:
    doc = json.loads(asset("github_dependabot/github_h2.json").read_text())
    node = doc["data"]["repository"]["vulnerabilityAlerts"]["nodes"][0]
    node.update(dismissedAt="2023-01-01T00:00:00Z", dismissReason="TOLERABLE_RISK")
    (f,) = parse_bytes(FMT, json.dumps(doc).encode(), tmp_path)
    assert f.status == "accepted" and f.extra["suppression"]["justification"] == "TOLERABLE_RISK"
    node["state"] = "FIXED"
    assert parse_bytes(FMT, json.dumps(doc).encode(), tmp_path) == []


_NOT_AN_ALERT = b'{"data": {"repository": {"vulnerabilityAlerts": {"nodes": [1]}}}}'


@pytest.mark.parametrize("data", [b'[]', b'{"data": 3}', _NOT_AN_ALERT])
def test_wrong_shape_is_one_data_error(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError):
        parse_bytes(FMT, data, tmp_path)
