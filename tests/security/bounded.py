"""Run cityguard as a real process with a time limit and an address-space limit.

Every hostile input of tests/security/ is fed to a real `python -m cityguard` whose memory is
capped with RLIMIT_AS (set in the child before exec) and whose run is bounded by a timeout:
a bomb that got through would end the test as a MemoryError or a timeout, never by
swapping the CI machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

MiB = 1024 * 1024
#: address space of one cityguard process: the interpreter, its libraries and thread stacks
#: use ~400 MiB of it; a YAML bomb or a runaway read would need gigabytes
DEFAULT_MEMORY = 1536 * MiB


def _limit(memory: int):  # noqa: ANN202 - a preexec_fn
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def run_bounded(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 60, memory: int = DEFAULT_MEMORY
                ) -> subprocess.CompletedProcess[str]:
    """`python -m cityguard ARGS` in `cwd`, killed after `timeout` s, at most `memory` bytes."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cityguard", *args], cwd=cwd, env=full_env,
        capture_output=True, text=True, timeout=timeout, preexec_fn=_limit(memory),
        stdin=subprocess.DEVNULL,
    )


def error_lines(p: subprocess.CompletedProcess[str]) -> list[str]:
    """The error lines of a run (stderr without the blank ones)."""
    return [line for line in p.stderr.splitlines() if line.strip()]


def assert_refused(p: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, no traceback, and one error line holding every needle; returns that line."""
    lines = error_lines(p)
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr[-2000:]
    hits = [line for line in lines if all(n in line for n in needles)]
    assert len(hits) == 1, (needles, lines)
    return hits[0]
