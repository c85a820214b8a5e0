"""The runner: rule groups, applicability, manual checks, errors, timeouts, concurrency."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from engine_helpers import check_yaml, write_tree

from cityguard.engine import load_file, run_checks
from cityguard.engine.probes import PROBES, BaseProbe, Observation
from cityguard.targets import open_target

EXISTS = {"probe": "file", "path": "/etc/present", "expect": {"exists": True}}
ABSENT = {"probe": "file", "path": "/etc/absent", "expect": {"exists": True}}
NA = {"probe": "command", "argv": ["true"], "expect": {"exists": True}}  # n/a on dir targets


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "root", {"etc/present": "x\n",
                                          "etc/os-release": "ID=debian\n"})


def _load(tmp_path: Path, *checks: dict[str, Any]) -> list:
    f = tmp_path / f"checks_{time.monotonic_ns()}.yaml"
    f.write_text(yaml.safe_dump({"checks": list(checks)}, allow_unicode=True), encoding="utf-8")
    loaded, errors = load_file(f)
    assert not errors, [str(e) for e in errors]
    return loaded


@pytest.mark.parametrize(("condition", "rules", "status"), [
    ("all", [EXISTS, EXISTS], "pass"),
    ("all", [EXISTS, ABSENT], "fail"),
    ("all", [EXISTS, NA], "pass"),  # a rule that cannot apply does not decide
    ("all", [NA, NA], "not_applicable"),
    ("any", [ABSENT, EXISTS], "pass"),
    ("any", [ABSENT, ABSENT], "fail"),
    ("any", [ABSENT, NA], "fail"),
    ("none", [ABSENT, ABSENT], "pass"),
    ("none", [ABSENT, EXISTS], "fail"),
    ("all", [{"any": [ABSENT, {"all": [EXISTS, EXISTS]}]}, {"none": [ABSENT]}], "pass"),
    ("all", [{"any": [ABSENT, {"all": [EXISTS, ABSENT]}]}], "fail"),
])
def test_groups(tmp_path: Path, root: Path, condition: str, rules: list, status: str) -> None:
    (check,) = _load(tmp_path, check_yaml(rules, condition=condition))
    (res,) = run_checks([check], [open_target(f"dir:{root}")])
    assert res.status.value == status
    assert res.evidence  # every evaluated rule leaves evidence


def test_applicability(tmp_path: Path, root: Path) -> None:
    checks = _load(
        tmp_path,
        check_yaml([EXISTS], id="t.applies.rhel", applies={"os_family": ["rhel-like", "kylin"]}),
        check_yaml([EXISTS], id="t.applies.debian", applies={"os_family": ["debian"],
                                                             "platform": ["linux"]}),
        check_yaml([EXISTS], id="t.applies.level4", applies={"min_level": 4}),
        check_yaml([EXISTS], id="t.applies.nginx", applies={"service": "nginx"}),
        check_yaml([EXISTS], id="t.applies.present",
                   applies={"service": "thing", "present_when": {"any": [EXISTS]}}),
        check_yaml([EXISTS], id="t.applies.absent",
                   applies={"service": "thing", "present_when": ABSENT}),
    )
    res = {r.check_id: r for r in run_checks(checks, [open_target(f"dir:{root}")], level=3)}
    assert res["t.applies.rhel"].status.value == "not_applicable"
    assert "OS family debian" in res["t.applies.rhel"].reason
    assert res["t.applies.debian"].status.value == "pass"
    assert res["t.applies.level4"].status.value == "not_applicable"
    assert "level 4" in res["t.applies.level4"].reason
    assert res["t.applies.nginx"].status.value == "not_applicable"
    assert res["t.applies.nginx"].reason == "nginx is not present on this asset"
    assert res["t.applies.present"].status.value == "pass"
    assert res["t.applies.absent"].status.value == "not_applicable"
    at4 = {r.check_id: r for r in run_checks(checks, [open_target(f"dir:{root}")], level=4)}
    assert at4["t.applies.level4"].status.value == "pass"


def test_unknown_os_does_not_exclude(tmp_path: Path) -> None:
    bare = write_tree(tmp_path / "bare", {"etc/present": "x"})  # a repository of configs
    (check,) = _load(tmp_path, check_yaml([EXISTS], applies={"os_family": ["rhel-like"],
                                                              "platform": ["linux"]}))
    assert run_checks([check], [open_target(f"dir:{bare}")])[0].status.value == "pass"


def test_manual_check(tmp_path: Path, root: Path) -> None:
    (check,) = _load(tmp_path, check_yaml(mode="manual", question_zh="管理员是否使用双因素认证？",
                                          question_en="Do administrators use two factors?"))
    (res,) = run_checks([check], [open_target(f"dir:{root}")])
    assert res.status.value == "manual"
    assert res.reason == "管理员是否使用双因素认证？ / Do administrators use two factors?"


def test_result_fields(tmp_path: Path, root: Path) -> None:
    (check,) = _load(tmp_path, check_yaml([ABSENT], id="t.result.fields", severity="high"))
    target = open_target(f"dir:{root}", asset_id="web-01")
    (res,) = run_checks([check], [target], unit_ids={"t.result.fields": ("L3-CES1-01",)})
    assert (res.check_id, res.asset, res.severity.value, res.unit_ids) == (
        "t.result.fields", "web-01", "high", ("L3-CES1-01",))
    assert res.title_en == "Test check" and res.remediation_zh == "无。"
    assert res.reason == "/etc/absent: 0 found; /etc/absent not found, expected exists"
    assert res.duration_ms >= 0


class _Hang(BaseProbe):
    name = "file_content"  # borrows a registered name so the check file validates
    params: ClassVar[dict[str, Any]] = {}

    def timeout(self, params: dict[str, Any], default: float) -> float:
        return 0.3

    def collect(self, target: Any, params: dict[str, Any], ctx: Any) -> Observation:
        if "hang" in params["path"]:
            threading.Event().wait(30)
        if "boom" in params["path"]:
            raise RuntimeError("probe exploded")
        return Observation.of([])


def test_a_hung_or_crashing_probe_is_an_error_for_that_check_only(
        tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def rule(path: str) -> dict:
        return {"probe": "file_content", "path": path, "pattern": "x", "expect": {"exists": False}}

    checks = _load(tmp_path, check_yaml([rule("/hang")], id="t.hang.one"),
                   check_yaml([rule("/boom")], id="t.boom.one"),
                   check_yaml([rule("/fine")], id="t.fine.one"),
                   check_yaml([EXISTS], id="t.other.one"))
    monkeypatch.setitem(PROBES._items, "file_content", _Hang())
    start = time.monotonic()
    res = {r.check_id: r for r in run_checks(checks, [open_target(f"dir:{root}")], jobs=2)}
    assert time.monotonic() - start < 5
    assert res["t.hang.one"].status.value == "error"
    assert "timed out after 0.3s" in res["t.hang.one"].reason
    assert res["t.boom.one"].status.value == "error"
    assert "RuntimeError: probe exploded" in res["t.boom.one"].reason
    assert res["t.fine.one"].status.value == "pass"
    assert res["t.other.one"].status.value == "pass"


def test_checks_run_concurrently_and_keep_their_order(tmp_path: Path) -> None:
    # distinct argv: one command is run once per target and its result shared by the rules
    def sleep(i: int) -> dict[str, Any]:
        return {"probe": "command", "argv": ["sleep", f"0.5{i}"], "expect": {"equals": ""}}

    checks = _load(tmp_path, *(check_yaml([sleep(i)], id=f"t.sleep.n{i}") for i in range(4)))
    local = open_target("local")
    seen: list[str] = []
    start = time.monotonic()
    results = run_checks(checks, [local], jobs=4, on_result=lambda r: seen.append(r.check_id))
    parallel = time.monotonic() - start
    assert [r.check_id for r in results] == [f"t.sleep.n{i}" for i in range(4)]
    assert sorted(seen) == sorted(r.check_id for r in results)
    assert all(r.status.value == "pass" for r in results)
    start = time.monotonic()
    run_checks(checks, [local], jobs=1)
    serial = time.monotonic() - start
    assert serial >= 2.0 and parallel < serial * 0.6


def test_several_targets(tmp_path: Path, root: Path) -> None:
    other = write_tree(tmp_path / "other", {"etc/os-release": "ID=debian\n"})
    (check,) = _load(tmp_path, check_yaml([EXISTS], id="t.multi.one"))
    res = run_checks([check], [open_target(f"dir:{root}", asset_id="a"),
                               open_target(f"dir:{other}", asset_id="b")])
    assert [(r.asset, r.status.value) for r in res] == [("a", "pass"), ("b", "fail")]


def _shadow_host(root: Path, n: int, empty: set[int]) -> Path:
    """n accounts with a login shell; those in `empty` have no password."""
    passwd = "".join(f"user{i:02d}:x:{1000 + i}:{1000 + i}::/home/u{i}:/bin/bash\n"
                     for i in range(n))
    shadow = "".join(f"user{i:02d}:{'' if i in empty else '$6$fake$hash'}:19700:0:90:7:::\n"
                     for i in range(n))
    return write_tree(root, {"etc/os-release": "ID=debian\n", "etc/passwd": passwd,
                             "etc/shadow": shadow})


def test_failing_values_come_first_and_the_reason_names_them(tmp_path: Path) -> None:
    """30 accounts, the 26th and 29th without a password: past the 20-value cut in file order."""
    host = _shadow_host(tmp_path / "h", 30, {25, 28})
    rule = {"probe": "accounts", "field": "empty_password", "filter": "all",
            "expect": {"equals": False}}
    (check,) = _load(tmp_path, check_yaml([rule], id="t.evidence.order"))
    (res,) = run_checks([check], [open_target(f"dir:{host}")])
    assert res.status.value == "fail"
    assert [(e.subject.split("[")[-1].rstrip("]"), e.ok) for e in res.evidence[:3]] == [
        ("user25", False), ("user28", False), ("user00", True)]
    assert len(res.evidence) == 21  # 20 values and one line for the rest
    assert res.evidence[-1].ok is None
    assert res.evidence[-1].message == "10 more values omitted (0 failing, 10 passing)"
    assert "user25 = true" in res.reason and "user28 = true" in res.reason
    assert "user00" not in res.reason


def test_many_failing_values_are_counted_not_dropped(tmp_path: Path) -> None:
    host = _shadow_host(tmp_path / "h", 30, set(range(0, 30, 1)) - {3})
    rule = {"probe": "accounts", "field": "empty_password", "filter": "all",
            "expect": {"equals": False}}
    (check,) = _load(tmp_path, check_yaml([rule], id="t.evidence.many"))
    (res,) = run_checks([check], [open_target(f"dir:{host}")])
    assert all(e.ok is False for e in res.evidence[:20])
    assert res.evidence[-1].message == "10 more values omitted (9 failing, 1 passing)"
    assert res.reason.startswith("accounts (all) empty_password: user00 = true, user01 = true, "
                                 "user02 = true and 26 more, expected == false")


def test_weak_host_blames_the_account_without_a_password(repo_root: Path) -> None:
    from cityguard.engine import index, load_library

    check = index(load_library())["linux.accounts.no_empty_passwords"]
    weak = repo_root / "tests" / "fixtures" / "hosts" / "weak"
    (res,) = run_checks([check], [open_target(f"dir:{weak}")])
    assert res.status.value == "fail"
    assert "guest = true" in res.reason and "root" not in res.reason
    assert res.evidence[0].ok is False and res.evidence[0].subject.endswith("[guest]")
