"""`--help` and `--version` stay fast: heavy modules load only inside the commands using them.

Timing belongs in benchmarks/startup.py; this test guards the cause of slowness instead (which
modules a bare `--help` imports), which is deterministic.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("jinja2", "openpyxl", "yaml", "jsonschema", "sqlite3", "defusedxml", "requests",
         "ijson", "cityguard.engine", "cityguard.ingest", "cityguard.scoring", "cityguard.render",
         "cityguard.store", "cityguard.policy.catalog")


def _imported(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cityguard", *args],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_help_and_version_import_nothing_heavy():
    for args in (("--help",), ("--version",)):
        loaded = _imported(*args)
        heavy = sorted(m for m in loaded if m in HEAVY or m.split(".")[0] in HEAVY[:8])
        assert heavy == [], f"{args}: {heavy}"
