"""`cron`: jobs from cron tables, cron.* directories and systemd timers."""

from __future__ import annotations

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
