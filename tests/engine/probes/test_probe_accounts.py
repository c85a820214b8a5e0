"""`accounts`: passwd/shadow fields, never the hashes."""

from __future__ import annotations

import json
import time
from pathlib import Path

from engine_helpers import write_tree

TODAY = int(time.time() // 86400)

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
toor:x:0:0::/root:/bin/sh
alice:x:1000:1000::/home/alice:/bin/bash
bob:x:1001:1001::/home/bob:/bin/bash
svc:x:1002:1002::/srv:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
SHADOW = f"""root:$6$fakesalt$abcdefghijklmnop:{TODAY - 10}:1:90:7:30::
daemon:*:{TODAY - 400}:0:99999:7:::
toor:!$6$locked$xyz:{TODAY - 5}:0:99999:7:::
alice:$y$j9T$fake$hash:{TODAY - 200}:1:90:7:::
bob::{TODAY - 3}:0:::::
svc:!:{TODAY - 1}::::::
nobody:*:{TODAY - 400}:0:99999:7:::
"""


def _root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "r", {"etc/passwd": PASSWD, "etc/shadow": SHADOW,
                                       "etc/login.defs": "UID_MIN 1000\n"})


def _run(run_rules, root: Path, field: str, expect: dict, flt: str | None = None):
    rule = {"probe": "accounts", "field": field, "expect": expect}
    if flt:
        rule["filter"] = flt
    return run_rules(root, [rule])


def test_uid0_and_names(tmp_path: Path, run_rules) -> None:
    root = _root(tmp_path)
    res = _run(run_rules, root, "name", {"count": {"le": 1}}, "uid0")
    assert res.status.value == "fail"
    assert sorted(e.observed for e in res.evidence) == ["root", "toor"]
    assert _run(run_rules, root, "name", {"in": ["root", "alice", "bob"]},
                "human").status.value == "fail"  # toor is human-ish (uid 0, login shell)
    humans = _run(run_rules, root, "name", {"not_in": ["svc", "daemon", "nobody"]}, "human")
    assert humans.status.value == "pass"
    system = _run(run_rules, root, "name", {"in": ["daemon", "nobody"]}, "system")
    assert system.status.value == "pass"  # svc has uid 1002: not a system account
    assert sorted(e.observed for e in system.evidence) == ["daemon", "nobody"]


def test_empty_and_locked_passwords(tmp_path: Path, run_rules) -> None:
    root = _root(tmp_path)
    res = _run(run_rules, root, "empty_password", {"count": {"equals": 0}})
    assert res.status.value == "fail"
    assert [e.subject for e in res.evidence] == ["accounts (all) empty_password [bob]"]
    locked = _run(run_rules, root, "locked", {"equals": True}, "system")
    assert locked.status.value == "pass"


def test_ageing_fields(tmp_path: Path, run_rules) -> None:
    root = _root(tmp_path)
    res = _run(run_rules, root, "max_days", {"le": 90}, "human")
    assert res.status.value == "fail"
    by = {e.subject.split("[")[1].rstrip("]"): (e.observed, e.ok, e.message) for e in res.evidence}
    assert by["root"] == (90, True, "") and by["alice"] == (90, True, "")
    assert by["bob"] == (None, False, "not set")
    assert _run(run_rules, root, "min_days", {"ge": 1}, "uid0").status.value == "fail"
    assert _run(run_rules, root, "warn_days", {"ge": 7}, "uid0").status.value == "pass"
    last = _run(run_rules, root, "last_change_days", {"le": 90}, "human")
    assert last.status.value == "fail"
    assert {e.observed for e in last.evidence} == {10, 5, 200, 3}
    assert _run(run_rules, root, "inactive", {"le": 30}, "uid0").status.value == "fail"


def test_hashes_never_reach_evidence(tmp_path: Path, run_rules) -> None:
    root = _root(tmp_path)
    for field in ("name", "empty_password", "locked", "max_days", "shell"):
        res = _run(run_rules, root, field, {"exists": True})
        text = json.dumps([e.to_dict() for e in res.evidence])
        assert "$6$" not in text and "$y$" not in text and "fakesalt" not in text


def test_without_shadow(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/passwd": "root::0:0::/root:/bin/sh\n"})
    assert _run(run_rules, root, "empty_password", {"exists": True}).status.value == "pass"
    res = _run(run_rules, root, "max_days", {"le": 90})
    assert res.status.value == "fail" and "/etc/shadow is absent" in res.evidence[0].message


def test_password_filter_keeps_accounts_that_log_in_with_a_password(tmp_path: Path,
                                                                    run_rules) -> None:
    """A locked root (toor here) has no password to age: only root, alice are judged."""
    root = _root(tmp_path)
    res = _run(run_rules, root, "max_days", {"le": 90}, "password")
    assert res.status.value == "pass"
    assert sorted(e.subject.split("[")[-1].rstrip("]") for e in res.evidence) == ["alice", "root"]


def test_login_usable_needs_a_login_shell_and_an_unlocked_password(tmp_path: Path,
                                                                   run_rules) -> None:
    root = _root(tmp_path)
    res = _run(run_rules, root, "login_usable", {"equals": True, "quantifier": "any"}, "all")
    usable = {e.subject.split("[")[-1].rstrip("]"): e.observed for e in res.evidence}
    # toor: login shell, locked; daemon/svc: nologin; bob: empty password opens the shell
    assert usable == {"root": True, "daemon": False, "toor": False, "alice": True,
                      "bob": True, "svc": False, "nobody": False}
