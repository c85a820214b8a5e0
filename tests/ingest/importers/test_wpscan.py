"""WPScan JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/wpscan/samples.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import asset, every_text, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "wpscan"


def test_component_vulnerabilities_listings_and_outdated_plugins() -> None:
    findings = parse(FMT, asset("wpscan/wpscan.json"))
    cf7 = one(findings, location="plugin:contact-form-7", tags=("vuln", "web"))
    assert cf7.rule_id == "7391118e-eef5-4ff8-a8ea-f6b65f442c63"  # its WPVulnDB id
    assert cf7.severity_raw == "no severity given, medium by policy"
    assert cf7.first_seen == "2021-03-17T12:21:06Z" and "L3-CES1-21" in unit_ids_for(cf7, 3)
    outdated = [f for f in findings if f.rule_id == "outdated"]
    assert len(outdated) == 8 and all(f.severity is Severity.LOW for f in outdated)
    listing = one(parse(FMT, asset("wpscan/wordpress_no_vuln.json")),
                  rule_id="upload_directory_listing")  # fmt: skip
    assert listing.severity is Severity.LOW


def test_backups_and_cracked_passwords_are_secrets_without_the_password(tmp_path: Path) -> None:
    data = json.loads(asset("wpscan/wordpress_no_vuln.json").read_text(encoding="utf-8"))
    data["config_backups"] = {"https://www.sample-owasp-wp.com/wp-config.php.bak": {}}
    data["password_attack"] = {"admin": {"id": 1, "password": "Summer2019!"}}
    findings = parse_bytes(FMT, json.dumps(data).encode(), tmp_path)
    backup = one(findings, rule_id="config_backups")
    assert backup.severity is Severity.HIGH and "L3-CES1-01" in unit_ids_for(backup, 3)
    cracked = one(findings, rule_id="weak-password")
    assert cracked.severity is Severity.CRITICAL and "Summer2019!" not in every_text(findings)
    assert "L3-CES1-06" in unit_ids_for(cracked, 3)  # default or weak credentials


@pytest.mark.parametrize("body", [b'{"banner": {}}', b'[{"target_url": "x"}]',
                                  b'{"banner": {}, "target_url": "x", "plugins": {'])  # fmt: skip
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()
