"""A device's type named where the device is declared: `device_type` on a manifest asset and
`ansible_network_os` in an inventory win over the global `--device-type`; a name no family
answers to is one error with the file and its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from netdev_helpers import CORPUS

from cityguard.assess.fleet import FleetOptions, open_all
from cityguard.assess.run import AssessRequest, run_assessment, target_specs
from cityguard.core.errors import DataError
from cityguard.system.inventory import load_inventory
from cityguard.system.manifest import load_manifest, validate_manifest

#: a Comware fragment with nothing that tells Huawei from H3C: detection asks for the type
FRAGMENT = CORPUS / "h3c_comware/netutils_comware_special_syntax.cfg"
HUAWEI = CORPUS / "huawei_vrp/sentriflow_security.cfg"


def _manifest(tmp: Path, assets: str) -> Path:
    (tmp / "configs").mkdir(exist_ok=True)
    shutil.copy(FRAGMENT, tmp / "configs" / "agg-sw7")
    shutil.copy(HUAWEI, tmp / "configs" / "core-sw1")
    path = tmp / "cityguard.yaml"
    path.write_text(f"name: 城市大脑\nstage: operate\nlevel: 3\nassets:\n{assets}",
                    encoding="utf-8")
    return path


def test_an_asset_names_its_own_device_type_over_the_global_flag(tmp_path: Path) -> None:
    path = _manifest(tmp_path, (
        "  - {id: agg, type: network_device, target: netdev:configs/agg-sw7,"
        " device_type: comware}\n"
        "  - {id: core, type: network_device, target: netdev:configs/core-sw1}\n"))
    manifest = load_manifest(path)
    assert [a.device_type for a in manifest.assets] == ["h3c_comware", None]  # alias resolved
    # --device-type huawei_vrp is for the assets that name none; `agg` keeps its own
    req = AssessRequest(targets=[], system=str(path), use_store=False, device_type="huawei_vrp")
    targets = {t.asset_id: t for t in open_all(target_specs(req, manifest),
                                               FleetOptions(device_type=req.device_type))}
    assert targets["agg"].facts().os_family == "h3c_comware"
    assert targets["core"].facts().os_family == "huawei_vrp"
    a = run_assessment(req)
    by_asset: dict[str, set[str]] = {}
    for r in a.results:
        by_asset.setdefault(r.asset, set()).add(r.check_id.split(".")[1])
    assert by_asset == {"agg": {"h3c_comware"}, "core": {"huawei_vrp"}}
    assert not [r for r in a.results if r.status.value == "error"]


def test_without_it_the_fragment_is_refused_and_the_others_go_on(tmp_path: Path) -> None:
    path = _manifest(tmp_path, (
        "  - {id: agg, type: network_device, target: netdev:configs/agg-sw7}\n"
        "  - {id: core, type: network_device, target: netdev:configs/core-sw1}\n"))
    a = run_assessment(AssessRequest(targets=[], system=str(path), use_store=False))
    agg = [r for r in a.results if r.asset == "agg"]
    assert [(r.check_id, r.status.value) for r in agg] == [("netdev.configuration_read", "error")]
    assert "device-type" in agg[0].reason


@pytest.mark.parametrize(("asset", "problem"), [
    ("{id: agg, target: netdev:configs/agg-sw7, device_type: mikrotik}",
     "unknown device type 'mikrotik'"),
    ("{id: agg, target: 'dir:configs', device_type: huawei_vrp}",
     "device_type needs a netdev: or ssh:// target"),
    ("{id: agg, target: netdev:configs/agg-sw7, device_type: 7}", "is not of type 'string'"),
])
def test_a_bad_device_type_is_one_problem_with_its_line(tmp_path: Path, asset: str,
                                                        problem: str) -> None:
    path = _manifest(tmp_path, f"  - {{id: core, target: netdev:configs/core-sw1}}\n  - {asset}\n")
    problems = validate_manifest(path)
    assert len(problems) == 1, problems
    assert problems[0].line == 6 and problem in problems[0].one_line()
    with pytest.raises(DataError) as exc:  # assess and gate load it the same way
        load_manifest(path)
    assert exc.value.line == 6 and problem in str(exc.value)


def test_cli_refuses_an_unknown_device_type_with_file_and_line(tmp_path: Path,
                                                              cityguard_proc) -> None:
    path = _manifest(tmp_path, "  - {id: agg, target: netdev:configs/agg-sw7, device_type: eos}\n")
    proc = cityguard_proc("assess", "--manifest", str(path), "--no-store", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cityguard.yaml" in proc.stderr and ":5" in proc.stderr
    assert "unknown device type 'eos'" in proc.stderr and "Traceback" not in proc.stderr


def test_inventory_network_os_is_checked_at_its_line(tmp_path: Path) -> None:
    inv = tmp_path / "hosts.ini"
    inv.write_text("[switches]\ncore1 ansible_host=10.1.0.2 ansible_network_os=huawei\n"
                   "[routers]\nedge1 ansible_host=10.1.0.1\n"
                   "[routers:vars]\nansible_network_os=arista.eos.eos\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_inventory(inv)
    assert (exc.value.line, exc.value.field) == (6, "edge1.ansible_network_os")
    assert "unknown device type 'arista.eos.eos'" in str(exc.value)
    inv.write_text("all:\n  hosts:\n    core1: {ansible_host: 10.1.0.2,"
                   " ansible_network_os: junipernetworks.junos.junos}\n", encoding="utf-8")
    (core1,) = load_inventory(inv).select()
    specs = target_specs(AssessRequest(targets=[], inventory=str(inv)))
    # the host's own type wins over the global flag
    (target,) = open_all(specs, FleetOptions(device_type="cisco_ios"))
    assert core1.device_type == "junipernetworks.junos.junos"
    assert target.family == "juniper_junos"
