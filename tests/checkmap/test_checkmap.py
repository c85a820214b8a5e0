"""policies/mlps2/checkmap: loading, overlays, validation against the catalog, coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityguard.core.errors import DataError
from cityguard.policy.catalog import load_catalog
from cityguard.policy.checkmap import (
    checks_for_unit,
    coverage,
    level_of_unit,
    load_checkmap,
    load_mappings,
    load_unitmap,
    mapped_check_ids,
)


def _site(tmp_path: Path, text: str, level: int = 3) -> Path:
    d = tmp_path / "site"
    (d / "mlps2" / "checkmap").mkdir(parents=True)
    (d / "mlps2" / "checkmap" / f"l{level}.yaml").write_text(text, encoding="utf-8")
    return d


def test_level_of_unit() -> None:
    assert level_of_unit("L3-CES1-01") == 3 and level_of_unit("l2-abs1-05") == 2
    assert level_of_unit("BDS-L4-ABS-01") == 4
    assert level_of_unit("linux.auth.x") is None


def test_builtin_maps_are_inverse_views() -> None:
    units = load_unitmap(3)
    checks = load_checkmap(3)
    assert units and checks
    for unit, ids in units.items():
        for cid in ids:
            assert unit in checks[cid]
    some_unit = next(u for u, ids in units.items() if ids)
    assert checks_for_unit(some_unit) == sorted(units[some_unit])
    assert checks_for_unit("not-a-unit") == []
    assert all(levels for levels in mapped_check_ids().values())


def test_site_overlay_replaces_the_level_file(tmp_path: Path) -> None:
    site = _site(tmp_path, "level: 3\nmap:\n  L3-CES1-01: [site.auth.check]\n")
    # the built-in domain files (netdev/l3.yaml) still merge: a site overlays them by path
    host = {k: v for k, v in load_checkmap(3, [site]).items() if not k.startswith("netdev.")}
    assert host == {"site.auth.check": ("L3-CES1-01",)}
    assert [c for c in checks_for_unit("L3-CES1-01", [site])
            if not c.startswith("netdev.")] == ["site.auth.check"]
    assert load_checkmap(2, [site]) == load_checkmap(2)  # other levels keep the built-in file


def test_roles_reasons_and_domain_files_merge(tmp_path: Path) -> None:
    site = _site(tmp_path, "level: 3\nmap:\n  L3-CES1-01:\n    - site.auth.check\n"
                           "    - {check: site.auth.hardening, role: advisory, why: benchmark}\n")
    (site / "mlps2" / "checkmap" / "netdev").mkdir()
    (site / "mlps2" / "checkmap" / "netdev" / "l3.yaml").write_text(
        "level: 3\nmap:\n  L3-CES1-01:\n"
        "    - {check: netdev.aaa.login, role: decisive, why: per-user device login}\n",
        encoding="utf-8")
    got = {m.check: m for m in load_mappings(3, [site])["L3-CES1-01"]}
    assert got["site.auth.check"].decisive and got["site.auth.check"].why == ""
    assert got["site.auth.hardening"].role == "advisory" and not got["site.auth.hardening"].decisive
    assert got["netdev.aaa.login"].decisive and got["netdev.aaa.login"].why
    # every built-in domain file is merged too
    assert set(load_unitmap(3, [site])["L3-CES1-01"]) >= set(got)


def test_a_check_twice_under_one_item_or_a_role_unknown_is_refused(tmp_path: Path) -> None:
    twice = _site(tmp_path / "a", "level: 3\nmap:\n  L3-CES1-01: [a.b.c, a.b.c]\n")
    with pytest.raises(DataError, match="mapped twice") as exc:
        load_checkmap(3, [twice])
    assert exc.value.line == 3
    role = _site(tmp_path / "b", "level: 3\nmap:\n  L3-CES1-01:\n"
                                 "    - {check: a.b.c, role: maybe, why: because}\n")
    with pytest.raises(DataError) as exc:
        load_checkmap(3, [role])
    assert exc.value.line == 4


def test_bad_files_name_file_and_line(tmp_path: Path) -> None:
    wrong_level = _site(tmp_path / "a", "level: 3\nmap:\n  L3-CES1-01: [a.b.c]\n"
                                        "  L2-CES1-01: [a.b.c]\n")
    with pytest.raises(DataError) as exc:
        load_checkmap(3, [wrong_level])
    assert exc.value.line == 4 and "not a level 3 unit id" in exc.value.problem
    bad_id = _site(tmp_path / "b", "level: 3\nmap:\n  L3-CES1-01: [Not An Id]\n")
    with pytest.raises(DataError) as exc:
        load_checkmap(3, [bad_id])
    assert exc.value.line == 3
    unknown = _site(tmp_path / "c", "level: 3\nmap:\n  L3-CES1-99: [a.b.c]\n")
    with pytest.raises(DataError) as exc:
        load_checkmap(3, [unknown], catalog=load_catalog())
    assert "L3-CES1-99 is not in the catalog" in str(exc.value) and exc.value.line == 3
    mismatch = _site(tmp_path / "d", "level: 2\nmap: {}\n")
    with pytest.raises(DataError, match="level 2 in a file named l3.yaml"):
        load_checkmap(3, [mismatch])


def test_coverage_per_class() -> None:
    catalog = load_catalog()
    rows = {r.class_code: r for r in coverage(catalog, 3)}
    assert rows["CES"].automated > 0 and rows["CES"].items >= rows["CES"].automated
    assert rows["PES"].automated == 0  # physical security: nothing a host can show
    assert 0 < rows["CES"].percent <= 100
