"""Devices in a whole assessment: `--target netdev:DIR`, the manifest's assets, inventories,
the exit code for a refused file, and devices beside hosts in the Assessment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from netdev_helpers import CORPUS, FIXTURES

from cityguard.assess.fleet import FleetOptions, open_all
from cityguard.assess.outputs import write_outputs
from cityguard.assess.run import AssessRequest, run_assessment, target_specs
from cityguard.assess.views import unreachable
from cityguard.engine.netdev.select import REFUSED_CHECK_ID
from cityguard.model import CheckStatus
from cityguard.targets.netdev_ssh import NetdevSSHTarget

REPO = Path(__file__).resolve().parents[2]
WEAK_HOST = REPO / "tests" / "fixtures" / "hosts" / "weak"


def _backups(tmp: Path) -> Path:
    """A folder as Oxidized leaves it: one file per device, names without extensions."""
    folder = tmp / "configs"
    (folder / "branch").mkdir(parents=True)
    shutil.copy(CORPUS / "huawei_vrp/sentriflow_security.cfg", folder / "edge-fw")
    shutil.copy(CORPUS / "cisco_ios/netutils_csr_full.cfg", folder / "branch" / "bb-01")
    shutil.copy(FIXTURES / "h3c_comware_hardened.cfg", folder / "agg-sw2")
    return folder


def test_a_folder_of_backups_is_one_network_device_per_file(tmp_path: Path) -> None:
    folder = _backups(tmp_path)
    a = run_assessment(AssessRequest(targets=[f"netdev:{folder}", f"dir:{WEAK_HOST}"],
                                     use_store=False, jobs=2))
    kinds = {x.id: (x.type, x.name) for x in a.assets}
    assert kinds["edge-fw"] == ("network_device", "FW-EDGE-01")
    assert kinds["bb-01"] == ("network_device", "jcy-bb-01")
    assert kinds["agg-sw2"][0] == "network_device" and kinds["weak"][0] == "host"
    by_asset: dict[str, set[str]] = {}
    for r in a.results:
        by_asset.setdefault(r.asset, set()).add(r.check_id)
    # each device gets the checks of its own family and nothing else; the host no device check
    assert all(c.startswith("netdev.huawei_vrp.") for c in by_asset["edge-fw"])
    assert all(c.startswith("netdev.cisco_ios.") for c in by_asset["bb-01"])
    assert not any(c.startswith("netdev.") for c in by_asset["weak"])
    assert not any(r.status is CheckStatus.ERROR for r in a.results if r.asset != "weak")
    # device results join the items, their verdicts and the high-risk issues
    objects = {o.asset for item in a.items for o in item.objects}
    assert {"edge-fw", "bb-01", "agg-sw2", "weak"} <= objects
    risks = {(h.case_id, h.asset) for h in a.high_risks} if a.high_risks else set()
    assert ("6.4.1.2", "bb-01") in {(c, s) for c, s in risks}  # `transport input all`
    # the reports list the devices beside the host, each with its kind
    written = write_outputs(a, ["md", "html"], str(tmp_path / "report"), lang="zh")
    for path in written:
        text = Path(path).read_text(encoding="utf-8")
        assert "网络设备" in text and "主机" in text and "FW-EDGE-01" in text, path


def test_a_refused_file_is_one_line_and_the_others_go_on(tmp_path: Path) -> None:
    folder = _backups(tmp_path)
    (folder / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    req = AssessRequest(targets=[f"netdev:{folder}"], use_store=False)
    a = run_assessment(req)
    refused = [line for line in a.summary.not_checked if "input refused" in line]
    assert len(refused) == 1 and str(folder / "garbage.bin") in refused[0]
    assert "binary data" in refused[0]
    # one error result for the device, carrying the file's one line: not one per check of
    # every family (116 before), and never a check of some family that did not run
    (garbage,) = [r for r in a.results if r.asset == "garbage.bin"]
    assert garbage.status is CheckStatus.ERROR and garbage.check_id == REFUSED_CHECK_ID
    assert str(folder / "garbage.bin") in garbage.reason and "binary data" in garbage.reason
    assert garbage.title_zh and garbage.title_en and garbage.remediation_zh
    assert ("garbage.bin", garbage.reason.split(": ", 1)[1]) in unreachable(a)
    # a result of no library check still renders in every report that lists results
    for path in write_outputs(a, ["html", "sarif", "junit", "oscal"], str(tmp_path / "r"),
                              lang="en"):
        assert REFUSED_CHECK_ID in Path(path).read_text(encoding="utf-8"), path
    assert {r.asset for r in a.results if r.status is not CheckStatus.ERROR} == \
        {"edge-fw", "bb-01", "agg-sw2"}


def test_cli_exit_2_for_a_bad_file_with_one_line_naming_it(tmp_path: Path,
                                                          cityguard_proc) -> None:
    folder = _backups(tmp_path)
    cut = folder / "cut.cfg"
    cut.write_bytes((CORPUS / "cisco_ios/oxidized_asr920_iosxe16.cfg").read_bytes()[:3000])
    out = tmp_path / "out"
    proc = cityguard_proc("assess", "--target", f"netdev:{folder}", "--no-store", "--format",
                         "json", "--output", str(out), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if str(cut) in ln]
    assert lines and "truncated" in lines[0] and "Traceback" not in proc.stderr
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    assert {"edge-fw", "bb-01", "agg-sw2"} <= {x["id"] for x in doc["assets"]}
    cut_results = [r for r in doc["results"] if r["asset"] == "cut.cfg"]
    assert [(r["check_id"], r["status"]) for r in cut_results] == [(REFUSED_CHECK_ID, "error")]
    assert "truncated" in cut_results[0]["reason"]


def test_cli_one_bad_file_and_an_unknown_device_type(tmp_path: Path, cityguard_proc) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("core switch replaced on Monday\n", encoding="utf-8")
    proc = cityguard_proc("assess", "--target", f"netdev:{bad}", "--no-store", "--output",
                         str(tmp_path / "o"), cwd=tmp_path)
    assert proc.returncode == 2 and str(bad) in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    proc = cityguard_proc("assess", "--target", f"netdev:{bad}", "--device-type", "mikrotik",
                         "--no-store", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown device type 'mikrotik'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_manifest_assets_name_device_backups(tmp_path: Path) -> None:
    _backups(tmp_path)
    manifest = tmp_path / "cityguard.yaml"
    manifest.write_text(
        "name: 城市大脑\nstage: operate\nlevel: 3\nassets:\n"
        "  - {id: edge, type: network_device, target: netdev:configs/edge-fw,"
        " internet_facing: true}\n"
        "  - {id: campus, type: network_device, target: netdev:configs/branch}\n",
        encoding="utf-8")
    a = run_assessment(AssessRequest(targets=[], system=str(manifest), use_store=False))
    assets = {x.id: x for x in a.assets}
    assert assets["edge"].type == "network_device" and assets["edge"].internet_facing
    assert assets["campus/bb-01"].type == "network_device"  # one device of a folder
    assert "campus" not in assets
    assert {r.asset for r in a.results} == {"edge", "campus/bb-01"}


def test_inventory_hosts_with_a_network_os_are_devices(tmp_path: Path) -> None:
    inv = tmp_path / "hosts.ini"
    inv.write_text("[switches]\ncore1 ansible_host=127.0.0.1 ansible_port=2222 "
                   "ansible_user=audit ansible_network_os=community.network.ce\n"
                   "[routers]\nedge1 ansible_host=127.0.0.2 ansible_network_os=cisco.ios.ios\n"
                   "[servers]\nweb1 ansible_host=127.0.0.3\n", encoding="utf-8")
    specs = target_specs(AssessRequest(targets=[], inventory=str(inv)))
    targets = {t.asset_id: t for t in open_all(specs, FleetOptions())}
    assert isinstance(targets["core1"], NetdevSSHTarget)
    assert targets["core1"].family == "huawei_vrp" and targets["core1"].port == 2222
    assert targets["edge1"].family == "cisco_ios"
    assert not isinstance(targets["web1"], NetdevSSHTarget)
