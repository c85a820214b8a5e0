"""Hadolint JSON: what is particular to it (the shared tests run every sample in
tests/assets/ingest/hadolint/samples.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import asset, one, parse, parse_bytes

from cityguard.core.errors import DataError
from cityguard.model import Severity

FMT = "hadolint"


def test_levels_paths_and_wiki_links() -> None:
    findings = parse(FMT, asset("hadolint/one_dockerfile.json"))
    info = one(findings, rule_id="DL3015")
    assert info.severity is Severity.LOW and info.severity_raw == "info"
    assert info.location == "django-DefectDojo/Dockerfile.django:9"  # was "…\\Dockerfile.django"
    assert info.references == ("https://github.com/hadolint/hadolint/wiki/DL3015",)
    assert one(findings, location="django-DefectDojo/Dockerfile.django:25").rule_id == "DL3008"


@pytest.mark.parametrize("body", [b'{"code": "DL3008"}', b'[1, 2]', b'[{"code": "DL3008", "li'])
def test_wrong_shape_is_one_data_error(body: bytes, tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        parse_bytes(FMT, body, tmp_path)
    assert "report.json" in str(err.value) and "\n" not in err.value.one_line()


def test_dockerfile_findings_map_to_image_hardening() -> None:
    from cityguard.ingest.mapping import unit_ids_for

    for f in parse(FMT, asset("hadolint/many_dockerfile.json")):
        assert "L3-CES2-07" in unit_ids_for(f, 3) and "L2-CES2-03" in unit_ids_for(f, 2)
