"""OS family detection, including the domestic distributions."""

from __future__ import annotations

import pytest

from cityguard.targets.osrelease import (
    container_hint,
    facts_from_files,
    family_of,
    parse_os_release,
)

CASES = [
    ('ID=debian\nVERSION_ID="12"\n', "debian"),
    ('ID=ubuntu\nID_LIKE=debian\n', "ubuntu"),
    ('ID="rhel"\nID_LIKE="fedora"\n', "rhel-like"),
    ('ID="centos"\n', "rhel-like"),
    ('ID="rocky"\nID_LIKE="rhel centos fedora"\n', "rhel-like"),
    ('ID="almalinux"\n', "rhel-like"),
    ('NAME="Kylin Linux Advanced Server"\nID="kylin"\nVERSION_ID="V10"\n', "kylin"),
    ('NAME="openEuler"\nID="openEuler"\nVERSION_ID="22.03"\n', "openeuler"),
    ('NAME="UnionTech OS Server 20"\nID="uos"\nID_LIKE="rhel fedora"\n', "uos"),
    ('NAME="Anolis OS"\nID="anolis"\nID_LIKE="rhel fedora centos"\n', "anolis"),
    ('NAME="Some Derivative"\nID="derived"\nID_LIKE="rhel fedora"\n', "rhel-like"),
    ('NAME="Other"\nID="other"\nID_LIKE="debian"\n', "debian"),
]


@pytest.mark.parametrize(("text", "family"), CASES)
def test_family(text: str, family: str) -> None:
    assert family_of(parse_os_release(text)) == family


def test_quotes_and_comments() -> None:
    f = parse_os_release('# comment\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')
    assert f == {"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "ID": "debian"}


def test_release_file_without_os_release() -> None:
    files = {"/etc/kylin-release": "Kylin Linux Advanced Server release V10 (Tercel)\n"}
    f = facts_from_files(files.get, "h", False)
    assert (f.os_family, f.platform) == ("kylin", "linux")
    assert f.os_name == "Kylin Linux Advanced Server release V10 (Tercel)"


def test_domestic_release_file_beats_upstream_claim() -> None:
    files = {"/etc/os-release": 'ID="centos"\n',
             "/etc/openEuler-release": "openEuler release 20.03\n"}
    assert facts_from_files(files.get, "h", False).os_family == "openeuler"


def test_container_markers() -> None:
    assert container_hint({"/.dockerenv": ""})
    assert container_hint({"/proc/1/cgroup": "0::/kubepods/besteffort/pod1"})
    assert container_hint({}, "podman")
    assert not container_hint({"/proc/1/cgroup": "0::/init.scope"})
