"""Vendor, OS family and format come from the content; bad input is one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from netdev_helpers import CORPUS, FOLDER_FAMILY, NEEDS_DEVICE_TYPE, corpus_files

from cityguard.core.errors import DataError, UsageError
from cityguard.targets.netdev import read_config
from cityguard.targets.netdev_detect import device_type

DIALECTS = {
    "juniper_junos/oxidized_srx300_22.4.conf": "brace",
    "juniper_junos/sentriflow_firewall_filter.conf": "brace",
    "juniper_junos/batfish_login_class_set.conf": "set",
    "paloalto_panos/ironskillet_panos_full_mgmt_static.xml": "xml",
    "paloalto_panos/ironskillet_panos_full_set.txt": "set",
    "paloalto_panos/netutils_panos_full_brace.conf": "brace",
    "fortinet_fortios/netutils_fortigate_full.conf": "forti",
}
RELEASES = {
    "huawei_vrp/faddr_ne40e_v800r011_rancid.cfg": "V8",
    "huawei_vrp/sentriflow_s5700_basic.cfg": "V200",
    "h3c_comware/netutils_comware7_full.cfg": "7",
    "h3c_comware/hier_config_comware5_running.cfg": "5",
    "cisco_ios/oxidized_asr920_iosxe16.cfg": "16.8",
    "cisco_asa/oxidized_asa5512_9.12.cfg": "9.12(4)67",
}


@pytest.mark.parametrize("rel", corpus_files())
def test_every_corpus_file_is_recognised_as_its_vendor(rel: str) -> None:
    config = read_config(CORPUS / rel, NEEDS_DEVICE_TYPE.get(rel))
    assert config.family == FOLDER_FAMILY[rel.split("/")[0]]
    assert config.root.children
    if rel in DIALECTS:
        assert config.dialect == DIALECTS[rel]
    if rel in RELEASES:
        assert config.release == RELEASES[rel]


def test_a_fragment_both_vendors_could_print_asks_for_the_device_type() -> None:
    rel = "h3c_comware/netutils_comware_special_syntax.cfg"
    with pytest.raises(DataError, match="--device-type huawei_vrp or --device-type h3c_comware"):
        read_config(CORPUS / rel)


def test_the_three_panos_formats_read_the_same_settings() -> None:
    xml = read_config(CORPUS / "paloalto_panos/ironskillet_panos_full_mgmt_static.xml")
    cli = read_config(CORPUS / "paloalto_panos/ironskillet_panos_full_set.txt")
    wanted = ("set deviceconfig setting management idle-timeout 10",
              "set deviceconfig setting management admin-lockout failed-attempts 5",
              "set mgt-config password-complexity minimum-length 12")
    for line in wanted:
        assert line in {n.text for n in xml.root.children}, line
        assert line in {n.text for n in cli.root.children}, line


def test_device_type_names_and_aliases() -> None:
    assert device_type("huawei") == "huawei_vrp"
    assert device_type("cisco.ios.ios") == "cisco_ios"
    assert device_type("hp_comware") == "h3c_comware"
    assert device_type("junipernetworks.junos.junos") == "juniper_junos"
    with pytest.raises(UsageError, match="unknown device type 'mikrotik'"):
        device_type("mikrotik")


# -- bad input: one line naming the file ---------------------------------------------------------


def _cut(rel: str, fraction: float, tmp: Path) -> Path:
    text = (CORPUS / rel).read_bytes()
    out = tmp / Path(rel).name
    out.write_bytes(text[: int(len(text) * fraction)])
    return out


@pytest.mark.parametrize("rel", [
    "cisco_ios/netutils_csr_full.cfg",
    "h3c_comware/netutils_comware7_full.cfg",
    "huawei_vrp/faddr_ne40e_v800r011_rancid.cfg",
    "juniper_junos/oxidized_srx300_22.4.conf",
    "fortinet_fortios/sentriflow_basic.conf",
    "paloalto_panos/ironskillet_panos_full_mgmt_static.xml",
])
def test_a_truncated_backup_is_refused(rel: str, tmp_path: Path) -> None:
    cut = _cut(rel, 0.6, tmp_path)
    with pytest.raises(DataError) as exc:
        read_config(cut)
    line = exc.value.one_line()
    assert str(cut) in line and "\n" not in line
    assert "truncated" in line or "not well-formed" in line


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("garbage.bin", bytes(range(256)) * 64, "binary data"),
    ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "binary data"),
    ("empty.cfg", b"", "empty file"),
    ("notes.txt", "# 设备清单\n交换机 24 台，路由器 3 台。\n".encode(),
     "not a device configuration"),
    ("inventory.csv", b"host,ip\ncore1,10.0.0.1\ncore2,10.0.0.2\n", "not a device configuration"),
    ("mikrotik.rsc", b"# jan/02/2026 10:00:00 by RouterOS 7.14\n/interface bridge\nadd name=br0\n"
                     b"/ip address\nadd address=10.0.0.1/24 interface=br0\n", "MikroTik RouterOS"),
    ("arista.cfg", b"! device: leaf1 (vEOS-lab, EOS-4.31.0F)\n!\nhostname leaf1\n"
                   b"interface Ethernet1\n   no switchport\n!\nend\n", "Arista EOS"),
    ("other.xml", b"<?xml version='1.0'?><inventory><host>a</host></inventory>", "not a PAN-OS"),
])
def test_not_a_configuration_is_one_line_naming_the_file(name: str, data: bytes, problem: str,
                                                          tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DataError) as exc:
        read_config(path)
    line = exc.value.one_line()
    assert line.startswith(str(path)) and problem in line


def test_a_forced_device_type_reads_what_detection_cannot(tmp_path: Path) -> None:
    path = tmp_path / "bare.cfg"
    path.write_text("sysname EDGE\n#\nvlan 10\n name users\n#\n", encoding="utf-8")
    with pytest.raises(DataError, match="nothing in the file tells"):
        read_config(path)
    assert read_config(path, "huawei_vrp").family == "huawei_vrp"
