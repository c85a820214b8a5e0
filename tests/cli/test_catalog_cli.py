"""`cityguard catalog` as users run it: exit codes, JSON/CSV contract, show, errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REQUIRED_KEYS = {
    "unit_id", "clause", "level", "part", "class", "control_point", "summary_zh", "summary_en",
    "assessed_by", "importance",
}


def test_level3_json_has_211_items_with_contract_keys(cli):
    res = cli("catalog", "--level", "3", "--format", "json")
    assert res.exit_code == 0, res.output
    items = json.loads(res.stdout)
    assert len(items) == 211
    for it in items:
        assert set(it) >= REQUIRED_KEYS
    first = next(i for i in items if i["unit_id"] == "L3-CES1-01")
    assert first["clause"] == "8.1.4.1" and first["class"] == "CES"
    assert first["control_point"] == "身份鉴别"


def test_grade_ext_class_and_search_filters(cli):
    res = cli("catalog", "--grade", "S3A2", "--ext", "cloud", "--class", "CES", "--format", "json")
    assert res.exit_code == 0
    items = json.loads(res.stdout)
    assert {i["class"] for i in items} == {"CES"}
    assert {i["part"] for i in items} == {"general", "cloud"}
    assert {i["level"] for i in items if i["sa_tag"] == "A"} == {2}
    res = cli("catalog", "--search", "身份鉴别", "--format", "json")
    assert {i["control_point"] for i in json.loads(res.stdout)} == {"身份鉴别"}


def test_csv_output_parses(cli):
    res = cli("catalog", "--level", "2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 135
    assert rows[0]["unit_id"].startswith("L2-")


def test_table_in_english(cli):
    res = cli("catalog", "--level", "1", "--lang", "en")
    assert res.exit_code == 0
    assert "L1-PES1-01" in res.stdout and "55 items" in res.stderr


def test_show_item_with_high_risk_cases(cli):
    res = cli("catalog", "show", "L3-CES1-01", "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["unit_id"] == "L3-CES1-01"
    assert any(c["case_id"] == "6.4.1.1" for c in data["high_risk_cases"])
    assert isinstance(data["checks"], list)
    # each mapped check says whether it decides the verdict or only advises, and why
    roles = {r["check"]: r for r in data["check_roles"]}
    assert sorted(roles) == data["checks"]
    assert roles["linux.accounts.no_empty_passwords"]["role"] == "decisive"
    assert roles["linux.accounts.login_defs_max_days"]["role"] == "advisory"
    assert all(r["why"] for r in roles.values() if r["role"] == "advisory")
    table = cli("catalog", "show", "L3-CES1-01")
    assert "6.4.1.1" in table.stdout and "身份鉴别" in table.stdout
    decisive, advisory = table.stdout.index("决定性检查"), table.stdout.index("建议性检查")
    assert decisive < table.stdout.index("linux.accounts.no_empty_passwords") < advisory
    assert table.stdout.index("linux.accounts.login_defs_max_days") > advisory


@pytest.mark.parametrize(
    "args",
    [
        ("catalog", "show", "L3-XXX1-01"),
        ("catalog", "--level", "7"),
        ("catalog", "--grade", "Q3"),
        ("catalog", "--format", "xml"),
        ("catalog", "--ext", "blockchain"),
        ("catalog", "--class", "ZZZ"),
    ],
)
def test_bad_usage_is_one_line_exit_2(cli, args):
    res = cli(*args)
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert res.stderr.strip().count("\n") == 0


def test_broken_policy_dir_from_environment(tmp_path, cityguard_proc):
    items = tmp_path / "pol" / "mlps2" / "items"
    items.mkdir(parents=True)
    bad = "level: 3\npart: general\nitems:\n- unit_id: 1\n"
    (items / "l3_general.yaml").write_text(bad, "utf-8")
    proc = cityguard_proc("catalog", env={"CITYGUARD_POLICIES": str(tmp_path / "pol")})
    assert proc.returncode == 2
    assert "l3_general.yaml:4" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_version_and_module_entry(cityguard_proc):
    proc = cityguard_proc("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("cityguard ")


@pytest.mark.slow
def test_wheel_ships_data_and_runs_from_another_directory(tmp_path, repo_root):
    """pip builds a wheel; installed elsewhere it finds policies/ inside the package."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheel_dir), str(repo_root)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(wheel_dir.glob("cityguard-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "cityguard/_data/policies/mlps2/items/l3_general.yaml" in names
    assert any(n.startswith("cityguard/_data/checks/") for n in names)
    assert "cityguard/schemas/catalog-items.schema.json" in names
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); import cityguard.cli as c; "
         "assert c.__file__.startswith(sys.argv[1]), c.__file__; "
         "sys.argv = ['cityguard', 'catalog', '--level', '3', '--format', 'json']; c.main()",
         str(target)],
        cwd=elsewhere, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 211
    assert Path(target / "cityguard" / "_data" / "policies").is_dir()
