"""`cron`: jobs from cron tables, cron.* directories and enabled systemd timers, and the
lines of the scripts they run."""

from __future__ import annotations

import os
from pathlib import Path

from engine_helpers import write_tree


def test_jobs_from_every_source(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/crontab": "SHELL=/bin/sh\n# m h dom mon dow user command\n"
                       "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n",
        "etc/cron.d/backup": "MAILTO=ops\n30 2 * * * root /usr/local/bin/backup.sh --full\n",
        "var/spool/cron/crontabs/ops": "@daily /home/ops/rsync-offsite.sh\n",
        "etc/cron.daily/logrotate": "#!/bin/sh\n",
        "lib/systemd/system/restic.timer": "[Timer]\nOnCalendar=daily\n",
        "lib/systemd/system/restic.service": "[Service]\nExecStart=/usr/bin/restic backup /srv\n",
    })
    wants = root / "etc/systemd/system/timers.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/lib/systemd/system/restic.timer", wants / "restic.timer")

    def run(pattern: str, expect: dict):
        return run_rules(root, [{"probe": "cron", "pattern": pattern, "expect": expect}])

    res = run(r"backup", {"exists": True})
    assert res.status.value == "pass"
    assert sorted(e.file for e in res.evidence) == ["/etc/cron.d/backup",
                                                    "/lib/systemd/system/restic.timer"]
    assert run(r"rsync", {"regex": "offsite"}).status.value == "pass"
    assert run(r"^logrotate$", {"count": {"equals": 1}}).status.value == "pass"
    assert run(r"run-parts", {"equals": "cd / && run-parts --report /etc/cron.hourly"}) \
        .status.value == "pass"
    assert run(r"^SHELL", {"exists": False}).status.value == "pass"  # variables are not jobs
    assert run(r"tar czf", {"exists": True}).status.value == "fail"


def test_a_timer_nobody_enabled_runs_nothing(tmp_path: Path, run_rules) -> None:
    """A package ships borgmatic.timer; until it is enabled it is no backup (false evidence)."""
    root = write_tree(tmp_path / "r", {
        "lib/systemd/system/borgmatic.timer": "[Timer]\nOnCalendar=daily\n",
        "lib/systemd/system/borgmatic.service": "[Service]\nExecStart=/usr/bin/borgmatic\n",
    })
    rule = [{"probe": "cron", "pattern": r"\bborgmatic\b", "expect": {"exists": True}}]
    assert run_rules(root, rule).status.value == "fail"
    wants = root / "etc/systemd/system/timers.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/lib/systemd/system/borgmatic.timer", wants / "borgmatic.timer")
    assert run_rules(root, rule).status.value == "pass"


def test_the_script_a_job_calls_is_read(tmp_path: Path, run_rules) -> None:
    """The backup and the off-site copy are inside the script cron calls: found there, with
    the script's file and line; the distribution's own programs are not followed."""
    root = write_tree(tmp_path / "r", {
        "etc/cron.d/nightly": "15 1 * * * root /usr/local/bin/backup.sh\n",
        "usr/local/bin/backup.sh": "#!/bin/sh\n# nightly\ntar czf /backup/etc.tgz /etc\n"
                                   "scp -q /backup/etc.tgz backup@10.0.9.5:/srv/backup/\n",
        "etc/cron.daily/dpkg": "#!/bin/sh\n/usr/libexec/dpkg/dpkg-db-backup\n",
        "usr/libexec/dpkg/dpkg-db-backup": "#!/bin/sh\ntar -cf alternatives.tar alternatives\n",
    })
    res = run_rules(root, [{"probe": "cron", "pattern": r"\bscp\s", "expect": {"exists": True}}])
    assert res.status.value == "pass"
    assert [(e.file, e.line) for e in res.evidence] == [("/usr/local/bin/backup.sh", 4)]
    tar = run_rules(root, [{"probe": "cron", "pattern": r"\btar\s",
                            "expect": {"count": {"equals": 1}}}])
    assert tar.status.value == "pass"  # the site's tar, not dpkg's own housekeeping
