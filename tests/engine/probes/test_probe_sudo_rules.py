"""`sudo_rules`: who is granted every command through sudo (inert empty groups aside)."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import write_tree

SUDOERS = """Defaults env_reset
Defaults logfile="/var/log/sudo.log"   # a comment
root    ALL=(ALL:ALL) ALL
%sudo   ALL=(ALL:ALL) ALL
%wheel  ALL=(ALL) NOPASSWD: ALL
%web    ALL=(root) /usr/bin/systemctl reload nginx, \\
                   /usr/bin/systemctl reload apache2
dba     ALL=(postgres) ALL
ops     ALL=(www-data) /bin/ls : ALL=(root) ALL
@includedir /etc/sudoers.d
"""


def _root(tmp_path: Path, sudo_members: str) -> Path:
    return write_tree(tmp_path / "r", {
        "etc/sudoers": SUDOERS,
        "etc/sudoers.d/10-roles": "Cmnd_Alias AUD = /usr/sbin/ausearch\n%audadm ALL=(root) AUD\n",
        "etc/sudoers.d/README": "",  # no dot, read (and harmless)
        "etc/sudoers.d/old.bak": "guest ALL=(ALL) ALL\n",  # a dot: sudo skips it
        "etc/passwd": "root:x:0:0::/root:/bin/bash\nzhang:x:1000:1000::/home/z:/bin/bash\n"
                      "li:x:1001:10::/home/l:/bin/bash\n",
        "etc/group": f"root:x:0:\nwheel:x:10:\nsudo:x:27:{sudo_members}\nweb:x:30:zhang\n"
                     "audadm:x:31:li\n",
    })


def test_unrestricted_principals(tmp_path: Path, run_rules) -> None:
    """%sudo counts only with members; %wheel through li's primary group; dba only runs as
    postgres; ops holds ALL as root after the colon; the .bak file is not read."""
    res = run_rules(_root(tmp_path / "a", ""), [{"probe": "sudo_rules", "field": "unrestricted",
                                                 "expect": {"count": {"le": 0}}}])
    assert res.status.value == "fail"
    assert sorted(str(e.observed) for e in res.evidence if e.observed) == ["%wheel (li)", "ops"]
    res = run_rules(_root(tmp_path / "b", "zhang"), [{"probe": "sudo_rules",
                                                      "field": "unrestricted",
                                                      "expect": {"count": {"le": 0}}}])
    assert "%sudo (zhang)" in [str(e.observed) for e in res.evidence]


def test_role_limited_rules_pass(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/sudoers": "root ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n"
                       "Cmnd_Alias SYS = /usr/bin/systemctl\n%sysadm ALL=(root) SYS\n",
        "etc/group": "sudo:x:27:\nsysadm:x:28:zhang\n",
        "etc/passwd": "root:x:0:0::/root:/bin/bash\nzhang:x:1000:1000::/home/z:/bin/bash\n",
    })
    res = run_rules(root, [{"probe": "sudo_rules", "field": "unrestricted",
                            "expect": {"count": {"le": 0}}}])
    assert res.status.value == "pass"
