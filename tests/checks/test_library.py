"""Data tests for the built-in check library (checks/), its MLPS mapping and its fixtures.

Every check validates, has a well-formed unique id and bilingual text, is mapped at some level,
and ships a `pass` and a `fail` fixture that give those statuses on a `dir:` target. Two host
roots (hardened, weak) prove that the library tells them apart item by item.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from cityguard.engine import Check, load_library, make_context, run_check, validate_paths
from cityguard.model import CheckStatus
from cityguard.policy.catalog import load_catalog
from cityguard.policy.checkmap import LEVELS, load_unitmap
from cityguard.targets.dir import DirTarget

REPO = Path(__file__).resolve().parents[2]
CHECKS_DIR = REPO / "checks"
FIXTURES = REPO / "tests" / "fixtures" / "checks"
HOSTS = REPO / "tests" / "fixtures" / "hosts"

#: id prefix → the directory its checks live in
PLATFORM_DIRS = {"linux": "linux", "ssh": "ssh", "nginx": "nginx", "apache": "apache",
                 "mysql": "mysql", "postgresql": "postgresql", "redis": "redis",
                 "k8s": "kubernetes", "netdev": "netdev"}
ID = re.compile(r"^(linux|ssh|nginx|apache|mysql|postgresql|redis|k8s|netdev)"
                r"\.[a-z0-9_]+\.[a-z0-9_]+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
STATUSES = {s.value for s in CheckStatus}
#: level-3 computing-environment items a host cannot show evidence for: personal-information
#: handling is judged in the applications and the organisation, not on the host
L3_CES_NOT_ON_HOST = {"L3-CES1-34", "L3-CES1-35"}


@lru_cache(maxsize=1)
def library() -> tuple[Check, ...]:
    return tuple(load_library())


def library_ids() -> list[str]:
    return [c.id for c in library()]


def host_check_ids() -> list[str]:
    """Checks with `dir:` fixture trees; network-device checks have theirs in tests/netdev/."""
    return [c.id for c in library() if "netdev" not in c.applies.platform]


@lru_cache(maxsize=1)
def unitmaps() -> dict[int, dict[str, tuple[str, ...]]]:
    return {level: load_unitmap(level, catalog=load_catalog()) for level in LEVELS}


def fixture_meta(check_id: str) -> dict:
    path = FIXTURES / check_id / "fixture.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def materialise(tree: Path, modes: dict[str, str], tmp: Path) -> Path:
    """The tree itself, or a copy with the permission bits git cannot keep."""
    if not modes:
        return tree
    copy = tmp / tree.name
    shutil.copytree(tree, copy, symlinks=True)
    for rel, mode in modes.items():
        (copy / rel).chmod(int(mode, 8))
    return copy


def assess(root: Path, checks: tuple[Check, ...] | list[Check]) -> dict[str, CheckStatus]:
    ctx = make_context(DirTarget(f"dir:{root}"), level=3)
    return {c.id: run_check(c, ctx).status for c in checks}


# -- the check files -----------------------------------------------------------------------------


def test_every_check_file_validates() -> None:
    checks, errors = validate_paths([CHECKS_DIR])
    assert errors == [], "\n".join(str(e) for e in errors)
    assert len(checks) >= 110
    assert len(checks) == len(library())


def test_ids_are_unique_and_well_formed() -> None:
    ids = library_ids()
    assert len(ids) == len(set(ids))
    for check in library():
        assert ID.match(check.id), check.id
        platform = check.id.split(".")[0]
        folder = Path(check.source).resolve().relative_to(CHECKS_DIR.resolve()).parts[0]
        assert folder == PLATFORM_DIRS[platform], f"{check.id} lives in checks/{folder}/"


def test_every_platform_group_is_present() -> None:
    prefixes = {cid.split(".")[0] for cid in library_ids()}
    assert prefixes == set(PLATFORM_DIRS)
    linux_areas = {cid.split(".")[1] for cid in library_ids() if cid.startswith("linux.")}
    assert {"accounts", "password", "pam", "sudo", "files", "audit", "logging", "services",
            "network", "time", "updates", "malware", "backup", "mac", "manual"} <= linux_areas


def test_texts_are_bilingual_and_state_the_secure_state() -> None:
    for c in library():
        for text in (c.title_zh, c.rationale_zh, c.remediation_zh):
            assert CJK.search(text), f"{c.id}: Chinese text expected, got {text!r}"
        for text in (c.title_en, c.rationale_en, c.remediation_en):
            assert not CJK.search(text), f"{c.id}: English text expected, got {text!r}"
        assert not c.title_en.lower().startswith("ensure"), c.id
        assert not c.title_zh.startswith("确保"), c.id
        if c.mode == "manual":
            assert c.question_zh.endswith("？") or "？" in c.question_zh, c.id
            assert "?" in c.question_en, c.id


def test_domestic_distributions_are_first_class() -> None:
    """RHEL-path variants name every RHEL-family system; UOS takes the Debian paths."""
    for c in library():
        fams = set(c.applies.os_family)
        if not fams:
            continue
        if "rhel-like" in fams:
            assert {"kylin", "openeuler", "anolis"} <= fams, c.id
            assert "uos" not in fams, c.id
        if "debian" in fams:
            assert {"ubuntu", "uos"} <= fams, c.id


def test_severities_follow_the_guidance() -> None:
    by_id = {c.id: c for c in library()}
    for cid in ("linux.accounts.no_empty_passwords", "ssh.sshd.root_password_login_disabled",
                "linux.services.telnet_server_absent", "redis.auth.password_required"):
        assert by_id[cid].severity.value == "critical", cid
    assert by_id["ssh.sshd.banner_set"].severity.value == "low"
    assert by_id["linux.password.min_length"].severity.value in ("medium", "high")


# -- the MLPS mapping -----------------------------------------------------------------------------


def test_checkmap_units_exist_and_mapped_checks_exist() -> None:
    known = set(library_ids())
    catalog_units = set(load_catalog().by_id())
    for level, mapping in unitmaps().items():
        assert mapping, f"l{level}.yaml maps nothing"
        for unit, check_ids in mapping.items():
            assert unit in catalog_units, unit
            assert unit.startswith(f"L{level}-"), unit
            assert check_ids, f"{unit} lists no checks"
            missing = set(check_ids) - known
            assert not missing, f"{unit} maps unknown checks {sorted(missing)}"


def test_every_check_is_mapped_at_level_3() -> None:
    mapped = {cid for ids in unitmaps()[3].values() for cid in ids}
    assert set(library_ids()) - mapped == set()


def test_every_level_3_computing_item_a_host_can_show_is_covered() -> None:
    catalog = load_catalog()
    ces = {i.unit_id for i in catalog.items if i.level == 3 and i.unit_id.startswith("L3-CES1-")}
    assert "L3-CES1-16" not in ces  # GB/T 28448 numbers 8.1.4.5 as L3-CES1-23
    uncovered = ces - set(unitmaps()[3]) - L3_CES_NOT_ON_HOST
    assert uncovered == set()


def test_levels_2_and_4_reuse_level_3_checks() -> None:
    maps = unitmaps()
    l3_checks = {cid for ids in maps[3].values() for cid in ids}
    for level in (1, 2, 4):
        used = {cid for ids in maps[level].values() for cid in ids}
        assert used <= l3_checks
    # same clause letter, same evidence: identity and authentication at every level
    assert set(maps[2]["L2-CES1-01"]) == set(maps[3]["L3-CES1-01"])
    assert set(maps[4]["L4-CES1-01"]) == set(maps[3]["L3-CES1-01"])
    # level 4 numbers the intrusion-prevention items one lower (no optional item in between)
    assert set(maps[4]["L4-CES1-17"]) == set(maps[3]["L3-CES1-18"])
    assert "linux.time.sync_enabled" in maps[4]["L4-SMC1-13"]
    # level 2 has no multi-factor or mandatory-access-control items
    l2 = {cid for ids in maps[2].values() for cid in ids}
    assert "ssh.sshd.mfa_required" not in l2 and "linux.mac.selinux_enforcing" not in l2


def test_kubernetes_checks_give_evidence_for_the_cloud_extension() -> None:
    l3 = unitmaps()[3]
    k8s = {cid for cid in library_ids() if cid.startswith("k8s.")}
    cloud = {cid for unit, ids in l3.items() if re.match(r"L3-(CES|ABS|CNS|SMC)2-", unit)
             for cid in ids}
    assert k8s <= cloud


# -- fixtures -------------------------------------------------------------------------------------


def test_fixture_directories_match_the_library() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert on_disk == set(host_check_ids())


@pytest.mark.parametrize("check_id", host_check_ids())
def test_fixture_metadata_is_well_formed(check_id: str) -> None:
    base = FIXTURES / check_id
    assert (base / "pass").is_dir() and (base / "fail").is_dir()
    meta = fixture_meta(check_id)
    assert set(meta) <= {"expect", "reason", "modes"}, meta
    if "expect" in meta:
        assert set(meta["expect"]) == {"pass", "fail"}
        assert set(meta["expect"].values()) <= STATUSES
        assert meta.get("reason"), "an `expect` override needs a reason"
    for side, modes in meta.get("modes", {}).items():
        assert side in ("pass", "fail")
        for rel, mode in modes.items():
            assert (base / side / rel).is_file(), f"{side}/{rel} is not in the fixture"
            assert re.fullmatch(r"0[0-7]{3}", mode), mode


@pytest.mark.parametrize("side", ["pass", "fail"])
@pytest.mark.parametrize("check_id", host_check_ids())
def test_fixture_gives_the_status_it_is_named_after(check_id: str, side: str,
                                                    tmp_path: Path) -> None:
    check = {c.id: c for c in library()}[check_id]
    meta = fixture_meta(check_id)
    expected = meta.get("expect", {}).get(side, side)
    tree = materialise(FIXTURES / check_id / side, meta.get("modes", {}).get(side, {}), tmp_path)
    result = run_check(check, make_context(DirTarget(f"dir:{tree}"), level=3))
    assert result.status.value == expected, (result.reason, result.evidence)
    if expected == "fail":
        assert result.reason and result.evidence  # a failure says what it saw
    if expected == "manual":
        assert check.question_zh in result.reason


def test_automated_fixtures_are_not_all_overrides() -> None:
    """Only checks that need a running host or a person may replace pass/fail by fixture.yaml."""
    by_id = {c.id: c for c in library()}
    for check_id, check in by_id.items():
        expect = fixture_meta(check_id).get("expect")
        if expect is None:
            continue
        if check.mode == "manual":
            assert expect == {"pass": "manual", "fail": "manual"}
            continue
        needs_host = any(_needs_running_host(r) for r in _rules(check.root))
        assert needs_host, f"{check_id} overrides its fixture statuses without needing commands"


def _rules(node):  # type: ignore[no-untyped-def]
    if node is None:
        return []
    if hasattr(node, "children"):
        return [r for c in node.children for r in _rules(c)]
    return [node]


def _needs_running_host(rule) -> bool:  # type: ignore[no-untyped-def]
    p = rule.params
    return (rule.probe in ("command", "http")
            or (rule.probe == "sysctl" and p.get("source", "runtime") == "runtime")
            or (rule.probe == "service" and p.get("property") == "active"))


# -- the two host roots ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def host_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, CheckStatus]]:
    modes = yaml.safe_load((HOSTS / "modes.yaml").read_text(encoding="utf-8"))
    tmp = tmp_path_factory.mktemp("hosts")
    out = {}
    for name in ("hardened", "weak"):
        root = materialise(HOSTS / name, modes[name], tmp)
        facts = DirTarget(f"dir:{root}").facts()
        assert (facts.os_family, facts.os_version) == ("debian", "12")
        out[name] = assess(root, library())
    return out


def test_hardened_host_passes_every_file_based_check(host_results) -> None:  # type: ignore[no-untyped-def]
    bad = {cid: s.value for cid, s in host_results["hardened"].items()
           if s not in (CheckStatus.PASS, CheckStatus.MANUAL, CheckStatus.NOT_APPLICABLE)}
    assert bad == {}
    passed = sum(1 for s in host_results["hardened"].values() if s is CheckStatus.PASS)
    assert passed >= 150


def test_weak_host_fails_the_file_based_checks(host_results) -> None:  # type: ignore[no-untyped-def]
    bad = {cid: s.value for cid, s in host_results["weak"].items()
           if s not in (CheckStatus.FAIL, CheckStatus.MANUAL, CheckStatus.NOT_APPLICABLE)}
    assert bad == {}
    failed = sum(1 for s in host_results["weak"].values() if s is CheckStatus.FAIL)
    assert failed >= 150


def test_hosts_are_told_apart_item_by_item(host_results) -> None:  # type: ignore[no-untyped-def]
    """For each mapped level-3 item with file-based evidence: hardened no fail, weak a fail."""
    judged_items = 0
    not_told_apart = defaultdict(list)
    for unit, check_ids in unitmaps()[3].items():
        weak = [host_results["weak"][c] for c in check_ids]
        if not any(s in (CheckStatus.PASS, CheckStatus.FAIL) for s in weak):
            continue  # only manual or command-based evidence for this item
        judged_items += 1
        hardened = [host_results["hardened"][c] for c in check_ids]
        if CheckStatus.FAIL in hardened:
            not_told_apart[unit].append("hardened fails")
        if CheckStatus.FAIL not in weak:
            not_told_apart[unit].append("weak does not fail")
    assert dict(not_told_apart) == {}
    assert judged_items >= 40
