"""`apt_updates`: dpkg status against apt's lists, read as files (plain or compressed)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
import subprocess
from pathlib import Path

import pytest
from engine_helpers import write_tree

from cityguard.core.decompress import decompress, lz4_frame
from cityguard.engine.probes.apt_updates import NO_LISTS, candidates
from cityguard.policy.messages import t
from cityguard.targets import open_target

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "engine" / "apt"
LISTS = "var/lib/apt/lists"
SEC = f"{LISTS}/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages"
MAIN = f"{LISTS}/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'


def _no_lists() -> str:
    return t(NO_LISTS, "en", command="apt-get update")


def status(*pkgs: tuple[str, str, str] | tuple[str, str, str, str]) -> str:
    """A dpkg status file: (name, version, arch[, status])."""
    out = []
    for p in pkgs:
        name, version, arch = p[:3]
        state = p[3] if len(p) > 3 else "install ok installed"
        out.append(f"Package: {name}\nStatus: {state}\nPriority: optional\n"
                   f"Architecture: {arch}\nVersion: {version}\nDescription: {name}\n")
    return "\n".join(out)


def packages(*pkgs: tuple[str, str, str]) -> str:
    """An apt Packages list: (name, version, arch)."""
    return "\n".join(f"Package: {n}\nVersion: {v}\nArchitecture: {a}\n"
                     f"Filename: pool/{n}_{v}_{a}.deb\n" for n, v, a in pkgs)


def generated_packages(n: int = 700) -> str:
    """A deterministic list of n stanzas, large enough for several 64 KiB LZ4 blocks."""
    return "".join(
        f"Package: pkg{i:04d}\nSource: src{i // 7:03d}\nVersion: 1.{i % 13}-{i % 5}+deb12u{i % 3}"
        f"\nArchitecture: {'all' if i % 4 == 0 else 'amd64'}\nMaintainer: Team {i % 11} "
        f"<team{i % 11}@example.org>\nDescription: package number {i} of the test list\n\n"
        for i in range(n))


@pytest.fixture
def rule():
    return {"probe": "apt_updates", "expect": {"count": {"le": 0}}}


def _host(root: Path, installed: str, lists: dict[str, str | bytes]) -> Path:
    return write_tree(root, {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": installed,
                             **lists})


def test_pending_security_updates_fail_and_name_the_packages(tmp_path, run_rules, rule):
    root = _host(tmp_path / "r", status(
        ("openssl", "3.0.11-1~deb12u2", "amd64"),
        ("libssl3", "3.0.11-1~deb12u2", "amd64"),
        ("tzdata", "2024a-0+deb12u1", "all"),
        ("bash", "5.2.15-2+b7", "amd64"),
        ("removed-pkg", "1.0-1", "amd64", "deinstall ok config-files"),
    ), {
        SEC: packages(("openssl", "3.0.15-1~deb12u1", "amd64"),
                      ("libssl3", "3.0.11-1~deb12u2", "amd64"),  # same version: nothing due
                      ("tzdata", "2024b-0+deb12u1", "all"),
                      ("removed-pkg", "2.0-1", "amd64"),  # not installed: ignored
                      ("unrelated", "9.9-9", "amd64")),
        MAIN: packages(("bash", "5.2.15-2+b8", "amd64")),  # not a security update
    })
    res = run_rules(root, [rule])
    assert res.status.value == "fail"
    failing = [(e.subject.rsplit("[", 1)[-1].rstrip("]"), e.observed, e.line)
               for e in res.evidence if e.ok is False and e.observed]
    assert failing == [("openssl", "3.0.11-1~deb12u2 → 3.0.15-1~deb12u1", 1),
                       ("tzdata", "2024a-0+deb12u1 → 2024b-0+deb12u1", 11)]
    assert all(e.file == "/" + SEC for e in res.evidence if e.observed)
    assert "openssl = '3.0.11-1~deb12u2 → 3.0.15-1~deb12u1'" in res.reason
    assert "tzdata" in res.reason and "bash" not in res.reason
    # removed-pkg (config files only) is not installed: four packages were compared
    summary = [e.message for e in res.evidence if e.observed is None]
    assert any("count = 2" in m and "4 installed packages compared with 1 list(s)" in m
               for m in summary), summary


def test_every_pocket_when_asked(tmp_path, run_rules):
    root = _host(tmp_path / "r", status(("bash", "5.2.15-2+b7", "amd64")),
                 {SEC: packages(), MAIN: packages(("bash", "5.2.15-2+b8", "amd64"))})
    rule = {"probe": "apt_updates", "expect": {"count": {"le": 0}}}
    assert run_rules(root, [rule]).status.value == "pass"
    every = run_rules(root, [{**rule, "pockets": "all"}])
    assert every.status.value == "fail" and "bash = '5.2.15-2+b7 → 5.2.15-2+b8'" in every.reason


def test_version_order_epochs_tildes_and_architectures(tmp_path, run_rules, rule):
    root = _host(tmp_path / "r", status(
        ("openssh-server", "1:9.2p1-2+deb12u2", "amd64"),
        ("libc6", "2.36-9+deb12u4", "amd64"),
        ("libc6", "2.36-9+deb12u4", "i386"),
        ("curl", "7.88.1-10+deb12u5", "amd64"),
        ("redis", "5:7.0.15-1~deb12u1", "amd64"),
    ), {SEC: packages(
        ("openssh-server", "9.9p1-1", "amd64"),  # no epoch: older than 1:9.2p1
        ("libc6", "2.36-9+deb12u7", "i386"),  # only the i386 one is due
        ("curl", "7.88.1-10+deb12u5~pre1", "amd64"),  # ~ sorts before: older
        ("redis", "5:7.0.15-1~deb12u1", "amd64"),
        ("redis", "5:7.0.15-1~deb12u3", "amd64"),  # two stanzas: the newest counts
    )})
    res = run_rules(root, [rule])
    failing = sorted(e.subject.rsplit("[", 1)[-1].rstrip("]") for e in res.evidence
                     if e.ok is False and e.observed)
    assert failing == ["libc6:i386", "redis"]


def test_held_packages_are_pending_too(tmp_path, run_rules, rule):
    root = _host(tmp_path / "r", status(("sudo", "1.9.13p3-1+deb12u1", "amd64",
                                         "hold ok installed")),
                 {SEC: packages(("sudo", "1.9.13p3-1+deb12u2", "amd64"))})
    assert run_rules(root, [rule]).status.value == "fail"


def test_up_to_date_host_passes_and_says_what_it_compared(tmp_path, run_rules, rule):
    root = _host(tmp_path / "r", status(("openssl", "3.0.15-1~deb12u1", "amd64")),
                 {SEC: packages(("openssl", "3.0.15-1~deb12u1", "amd64"))})
    res = run_rules(root, [rule])
    assert res.status.value == "pass"
    assert "1 installed packages compared with 1 list(s)" in res.evidence[-1].message


def test_absent_lists_are_not_applicable_never_a_pass(tmp_path, run_rules, rule):
    root = _host(tmp_path / "r", status(("openssl", "3.0.11-1", "amd64")), {})
    res = run_rules(root, [rule])
    assert res.status.value == "not_applicable" and res.reason == _no_lists()
    (root / LISTS).mkdir(parents=True)
    (root / LISTS / "lock").write_text("")
    (root / MAIN.replace("_Packages", "_Packages.diff_Index")).write_text("SHA256-Current: x\n")
    assert run_rules(root, [rule]).reason == _no_lists()


def test_lists_without_a_security_pocket_say_so(tmp_path, run_rules, rule):
    root = _host(tmp_path / "r", status(("bash", "5.2.15-2+b7", "amd64")),
                 {MAIN: packages(("bash", "5.2.15-2+b7", "amd64"))})
    res = run_rules(root, [rule])
    assert res.status.value == "not_applicable" and "no security pocket" in res.reason


def test_no_dpkg_database_is_not_applicable(tmp_path, run_rules, rule):
    root = write_tree(tmp_path / "r", {"etc/os-release": OS_RELEASE, SEC: packages()})
    res = run_rules(root, [rule])
    assert res.status.value == "not_applicable" and "no dpkg database" in res.reason


@pytest.mark.parametrize("suffix, pack", [
    (".gz", gzip.compress), (".xz", lzma.compress), (".bz2", bz2.compress),
])
def test_compressed_lists(tmp_path, run_rules, rule, suffix, pack):
    text = packages(("openssl", "3.0.15-1~deb12u1", "amd64"))
    root = _host(tmp_path / "r", status(("openssl", "3.0.11-1~deb12u2", "amd64")),
                 {SEC + suffix: pack(text.encode())})
    res = run_rules(root, [rule])
    assert res.status.value == "fail" and "openssl" in res.reason
    assert res.evidence[0].file == "/" + SEC + suffix


def test_lz4_list_from_an_asset(tmp_path, run_rules, rule):
    data = (ASSETS / "Packages-linked.lz4").read_bytes()
    root = _host(tmp_path / "r", status(("pkg0004", "1.0-0", "all"), ("pkg0005", "9.0-0", "amd64"),
                                        ("pkg0006", "1.6-1+deb12u0", "amd64")),
                 {SEC + ".lz4": data})
    res = run_rules(root, [rule])
    failing = [(e.subject.rsplit("[", 1)[-1].rstrip("]"), e.observed) for e in res.evidence
               if e.ok is False and e.observed]
    # pkg0005 is installed newer than the list, pkg0006 at the list's version
    assert failing == [("pkg0004", "1.0-0 → 1.4-4+deb12u1")]


def test_unreadable_compression_and_corrupt_lists(tmp_path, run_rules, rule):
    root = _host(tmp_path / "r", status(("openssl", "3.0.11-1", "amd64")),
                 {SEC + ".zst": b"\x28\xb5\x2f\xfd not really"})
    res = run_rules(root, [rule])
    assert res.status.value == "not_applicable" and "zst" in res.reason
    bad = _host(tmp_path / "b", status(("openssl", "3.0.11-1", "amd64")),
                {SEC + ".gz": b"\x1f\x8b not gzip at all"})
    err = run_rules(bad, [rule])
    assert err.status.value == "error" and "corrupt" in err.reason


def test_candidates_line_numbers_survive_extra_blank_lines() -> None:
    text = ("Package: a\nVersion: 1\nDescription: x\n Version: 9 (a continuation line)\n\n\n\n"
            "Package: b\nArchitecture: amd64\nVersion: 2\n")
    got = candidates(text, "/x")
    assert got == {("a", "all"): ("1", "/x", 1), ("b", "amd64"): ("2", "/x", 8)}


def test_lz4_decoder_matches_the_reference_assets() -> None:
    text = generated_packages().encode()
    for name in ("Packages-linked.lz4", "Packages-independent.lz4"):
        data = (ASSETS / name).read_bytes()
        assert lz4_frame(data) == text, name
        assert decompress(name, data) == text
    with pytest.raises(ValueError):
        lz4_frame((ASSETS / "Packages-linked.lz4").read_bytes()[:-300])
    with pytest.raises(ValueError):
        lz4_frame(b"not lz4")


def test_on_this_machine_when_it_has_apt_lists() -> None:
    """The probe on the real host; with lz4cat present, the decoder agrees with it."""
    from cityguard.engine.probes import PROBES
    from cityguard.engine.runner import make_context

    lists = sorted(Path("/var/lib/apt/lists").glob("*security*_Packages*"))
    if not Path("/var/lib/dpkg/status").is_file() or not lists:
        pytest.skip("no dpkg database or apt security lists on this machine")
    target = open_target("local")
    obs = PROBES.get("apt_updates").collect(target, {}, make_context(target, 3))
    assert not obs.not_applicable and "installed packages compared with" in obs.note
    assert all(" → " in str(v.value) and v.subject for v in obs.values)
    lz4 = [p for p in lists if p.suffix == ".lz4"]
    if lz4 and shutil.which("lz4cat"):
        ref = subprocess.run(["lz4cat", str(lz4[0])], capture_output=True, check=True).stdout
        assert lz4_frame(lz4[0].read_bytes()) == ref


def test_parsed_lists_are_cached_by_content(tmp_path, run_rules, rule, monkeypatch):
    monkeypatch.setenv("CITYGUARD_CACHE", str(tmp_path / "cache"))
    root = _host(tmp_path / "r", status(("openssl", "3.0.11-1", "amd64")),
                 {SEC + ".gz": gzip.compress(packages(("openssl", "3.0.15-1", "amd64")).encode())})
    first = run_rules(root, [rule])
    assert first.status.value == "fail" and list((tmp_path / "cache" / "apt-lists").iterdir())
    again = run_rules(root, [rule])  # from the cache: the same result
    assert (again.status, again.reason) == (first.status, first.reason)
    (root / (SEC + ".gz")).write_bytes(
        gzip.compress(packages(("openssl", "3.0.11-1", "amd64")).encode()))  # apt-get update
    assert run_rules(root, [rule]).status.value == "pass"
