"""Snyk CLI JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/snyk/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, parse, parse_bytes, parse_unseekable

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "snyk"


def test_an_issue_on_many_paths_is_one_finding_with_its_first_path() -> None:
    findings = parse(FMT, asset("snyk/all_containers_target_output.json"))
    django = [f for f in findings if f.rule_id == "SNYK-PYTHON-DJANGO-2940618"]
    assert len(django) == 1 and " via " in django[0].evidence
    assert django[0].severity is Severity.CRITICAL and django[0].severity_raw == "critical"
    assert django[0].tags == ("vuln", "dependency") and django[0].cves


def test_container_os_packages_and_the_application_inside() -> None:
    findings = parse(FMT, asset("snyk/snykcontainer_issue_9270.json"))
    assert {f.asset_key for f in findings} == {"sarim04/juiceshop"}
    os_pkgs = [f for f in findings if " " not in f.location]
    app = [f for f in findings if f.location.startswith("/juice-shop/package.json ")]
    assert (len(os_pkgs), len(app)) == (13, 12)
    assert all(f.tags == ("vuln",) for f in os_pkgs)
    assert all(f.tags == ("vuln", "dependency") for f in app)


def test_licence_issues_are_compliance_findings() -> None:
    findings = parse(FMT, asset("snyk/all_projects_issue4277.json"))
    licences = [f for f in findings if f.tags == ("compliance",)]
    assert len(licences) == 1 and licences[0].rule_id.startswith("snyk:lic:")


def test_a_pipe_reads_the_same() -> None:
    path = asset("snyk/single_project_many_vulns.json")
    assert [f.fingerprint for f in parse_unseekable(FMT, path)] == [
        f.fingerprint for f in parse(FMT, path)]


@pytest.mark.parametrize("data", [b'[1]', b'{"vulnerabilities": [3], "packageManager": "npm"}'])
def test_wrong_shape_is_one_data_error(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError):
        parse_bytes(FMT, data, tmp_path)
