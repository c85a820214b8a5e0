"""The answers.yaml loader: defaults, aliases, and errors naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityguard.core.errors import DataError
from cityguard.system.answers import load_answers

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "answers"


def test_good_file_loads_with_defaults_aliases_and_lists():
    a = load_answers(ASSETS / "good.yaml")
    (policy,) = a.answers["L3-PSS1-01"]
    assert policy["verdict"] == "compliant"  # 符合
    assert policy["assessor"] == "张工" and policy["date"] == "2025-05-10"  # file defaults
    assert policy["evidence"] == ["docs/policy.pdf"]
    web, db = a.answers["L3-CES1-01"]
    assert (web["asset"], web["verdict"]) == ("web01", "partial")
    assert (db["assessor"], db["date"], db["high_risks"]) == ("李工", "2025-05-11", ["6.4.1.3"])
    assert a.answers["L3-PES1-01"][0]["verdict"] == "not_applicable"
    assert [m["id"] for m in a.mitigations] == ["M1", "M2"]
    assert a.path.endswith("good.yaml")


def test_known_unit_ids_accept_the_good_file():
    known = {"L3-PSS1-01", "L3-CES1-01", "L3-PES1-01"}
    assert len(load_answers(ASSETS / "good.yaml", known_unit_ids=known).answers) == 3


@pytest.mark.parametrize(
    ("name", "line", "field", "words"),
    [
        ("bad_verdict.yaml", 6, "answers.L3-CES1-01.0.verdict", "'mostly'"),
        ("bad_unit.yaml", 3, "answers.L3-CES-01", "not a unit id"),
        ("duplicate_asset.yaml", 4, "answers.L3-CES1-01", "same asset 'web01'"),
        ("extra_field.yaml", 2, "answers.L3-CES1-01", "assesor"),
        ("broken.yaml", 3, None, "invalid YAML"),
        ("not_mapping.yaml", 1, "answers", "not of type 'object'"),
    ],
)
def test_bad_files_name_file_line_and_field(name, line, field, words):
    with pytest.raises(DataError) as exc:
        load_answers(ASSETS / name)
    err = exc.value
    assert err.path and err.path.endswith(name)
    assert err.line == line
    assert err.field == field
    assert words in str(err)
    assert f"{name}:{line}" in err.one_line()


def test_unknown_unit_id_against_the_catalog_names_its_line():
    with pytest.raises(DataError) as exc:
        load_answers(ASSETS / "unknown_unit.yaml", known_unit_ids={"L3-PSS1-01"})
    assert exc.value.line == 4 and "L3-CES1-99" in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_answers(tmp_path / "nope.yaml")
