"""`file` and `file_content` probes against real trees."""

from __future__ import annotations

import os
import time
from pathlib import Path

from engine_helpers import write_tree


def test_file_exists_and_absent(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/issue.net": "Authorised use only\n"})
    ok = run_rules(root, [{"probe": "file", "path": "/etc/issue.net", "expect": {"exists": True}}])
    assert ok.status.value == "pass"
    gone = run_rules(root, [{"probe": "file", "path": "/etc/motd", "expect": {"exists": True}}])
    assert gone.status.value == "fail" and gone.evidence[0].message.endswith("1 found") is False
    absent = run_rules(root, [{"probe": "file", "path": "/etc/hosts.equiv",
                               "expect": {"exists": False}}])
    assert absent.status.value == "pass"


def test_file_mode_owner_group_type_size_age(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/shadow": "root:*:19000:0:99999:7:::\n",
                                       "etc/passwd": f"root:x:0:0::/root:/bin/bash\n"
                                                     f"me:x:{os.getuid()}:{os.getgid()}::/:/bin/sh\n",
                                       "etc/group": f"root:x:0:\nmine:x:{os.getgid()}:\n"})
    (root / "etc/shadow").chmod(0o640)
    old = time.time() - 10 * 86400
    os.utime(root / "etc/shadow", (old, old))

    def run(prop: str, expect: dict) -> str:
        return run_rules(root, [{"probe": "file", "path": "/etc/shadow", "property": prop,
                                 "expect": expect}]).status.value

    assert run("mode", {"equals": "0640"}) == "pass"
    assert run("mode", {"mode_max": "0640"}) == "pass"
    assert run("mode", {"mode_max": "0600"}) == "fail"
    assert run("mode", {"mode_max": "644"}) == "pass"
    uid_name = "root" if os.getuid() == 0 else "me"
    assert run("owner", {"equals": uid_name}) == "pass"
    assert run("group", {"in": ["root", "mine"]}) == "pass"
    assert run("type", {"equals": "file"}) == "pass"
    assert run("size", {"gt": 10}) == "pass"
    assert run("age_days", {"ge": 9.9}) == "pass"
    assert run("age_days", {"age_days_le": 5}) == "fail"


def test_file_glob_checks_every_match(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/cron.d/a": "x\n", "etc/cron.d/b": "y\n"})
    (root / "etc/cron.d/a").chmod(0o600)
    (root / "etc/cron.d/b").chmod(0o666)
    res = run_rules(root, [{"probe": "file", "path": "/etc/cron.d/*", "property": "mode",
                            "expect": {"mode_max": "0644"}}])
    assert res.status.value == "fail"
    # the failing value comes first (the evidence list is cut after 20 values)
    assert [(e.file, e.ok) for e in res.evidence] == [("/etc/cron.d/b", False),
                                                       ("/etc/cron.d/a", True)]
    some = run_rules(root, [{"probe": "file", "path": "/etc/cron.d/*", "property": "mode",
                             "expect": {"mode_max": "0644", "quantifier": "any"}}])
    assert some.status.value == "pass"


def test_file_content_lines_and_captures(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/audit/rules.d/a.rules":
                                       "# -w /etc/passwd -p wa\n-w /etc/passwd -p wa -k identity\n"
                                       "-w /etc/shadow -p wa -k identity\n"})
    res = run_rules(root, [{"probe": "file_content", "path": "/etc/audit/rules.d/*.rules",
                            "pattern": r"^-w (/etc/\S+) .*-k identity", "capture": 1,
                            "expect": {"in": ["/etc/passwd", "/etc/shadow"]}}])
    assert res.status.value == "pass"
    assert [(e.observed, e.line) for e in res.evidence] == [("/etc/passwd", 2), ("/etc/shadow", 3)]
    cnt = run_rules(root, [{"probe": "file_content", "path": "/etc/audit/rules.d/a.rules",
                            "pattern": "/etc/passwd", "ignore_comments": False,
                            "expect": {"count": {"equals": 2}}}])
    assert cnt.status.value == "pass"
    named = run_rules(root, [{"probe": "file_content", "path": "/etc/audit/rules.d/a.rules",
                              "pattern": r"-k (?P<key>\w+)", "capture": "key",
                              "expect": {"equals": "identity"}}])
    assert named.status.value == "pass"
    none = run_rules(root, [{"probe": "file_content", "path": "/etc/audit/rules.d/a.rules",
                             "pattern": "sudoers", "expect": {"exists": False}}])
    assert none.status.value == "pass"
    missing = run_rules(root, [{"probe": "file_content", "path": "/etc/none",
                                "pattern": "x", "expect": {"regex": "x"}}])
    assert missing.status.value == "fail" and "no file matches" in missing.evidence[0].message
