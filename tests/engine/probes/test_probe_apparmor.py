"""`apparmor`: profiles in /etc/apparmor.d, their mode, and which programs they confine."""

from __future__ import annotations

import os
from pathlib import Path

from engine_helpers import write_tree

CHRONYD = "#include <tunables/global>\n/usr/sbin/chronyd flags=(attach_disconnected) {\n}\n"
RSYSLOGD = "profile rsyslogd /usr/sbin/rsyslogd {\n  /var/log/** rw,\n}\n"
DHCLIENT = "/{,usr/}sbin/dhclient flags=(complain) {\n  ^hat {\n  }\n}\n"
NGINX = "/usr/sbin/nginx {\n}\n"


def _root(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "r", {
        "etc/apparmor.d/usr.sbin.chronyd": CHRONYD,
        "etc/apparmor.d/usr.sbin.rsyslogd": RSYSLOGD,
        "etc/apparmor.d/sbin.dhclient": DHCLIENT,
        "etc/apparmor.d/usr.sbin.nginx": NGINX,
        "etc/apparmor.d/abstractions/base": "/usr/sbin/not-a-profile {\n}\n",
        "etc/apparmor.d/tunables/global": "",
        "usr/sbin/chronyd": "", "usr/sbin/rsyslogd": "", "usr/sbin/nginx": "",
        "usr/sbin/dhclient": "", "usr/sbin/smbd": "",
    })
    (root / "etc/apparmor.d/disable").mkdir()
    os.symlink("/etc/apparmor.d/usr.sbin.nginx", root / "etc/apparmor.d/disable/usr.sbin.nginx")
    return root


def test_profiles_and_their_modes(tmp_path: Path, run_rules) -> None:
    res = run_rules(_root(tmp_path), [{"probe": "apparmor", "property": "profiles",
                                       "expect": {"regex": "^enforce ", "quantifier": "any"}}])
    seen = sorted(str(e.observed) for e in res.evidence)
    assert seen == ["complain /{,usr/}sbin/dhclient", "disabled /usr/sbin/nginx",
                    "enforce /usr/sbin/chronyd", "enforce /usr/sbin/rsyslogd"]
    assert res.status.value == "pass"


def test_confined_programs_enabled_profiles_only(tmp_path: Path, run_rules) -> None:
    """Only programs present are judged; a disabled or complain profile confines nothing."""
    root = _root(tmp_path)

    def modes(programs: list[str]) -> dict[str, str]:
        res = run_rules(root, [{"probe": "apparmor", "property": "confined",
                                "programs": programs, "expect": {"equals": "enforce"}}])
        return {e.subject.split("[")[-1].rstrip("]"): e.observed for e in res.evidence
                if e.observed is not None}

    assert modes(["/usr/sbin/chronyd", "/usr/sbin/rsyslogd", "/usr/sbin/nginx",
                  "/usr/sbin/dhclient", "/usr/sbin/smbd", "/usr/sbin/named"]) == {
        "/usr/sbin/chronyd": "enforce", "/usr/sbin/rsyslogd": "enforce",
        "/usr/sbin/nginx": "disabled", "/usr/sbin/dhclient": "complain",
        "/usr/sbin/smbd": "unconfined"}
    none = run_rules(root, [{"probe": "apparmor", "property": "confined",
                             "programs": ["/usr/sbin/named"], "expect": {"equals": "enforce"}}])
    assert none.status.value == "fail" and "none of the programs" in none.reason
