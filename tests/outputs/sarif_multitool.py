"""Microsoft's SARIF validator (`@microsoft/sarif-multitool`, installed by .ci/run with npm)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL = REPO_ROOT / ".ci" / "sarif-multitool" / "node_modules" / ".bin" / "sarif-multitool"


def multitool() -> str:
    found = os.environ.get("CITYGUARD_SARIF_MULTITOOL") or (str(LOCAL) if LOCAL.exists()
                                                            else shutil.which("sarif-multitool"))
    if not found:
        pytest.skip("@microsoft/sarif-multitool is not installed (.ci/run: npm ci --prefix "
                    ".ci/sarif-multitool)")
    return found


def problems(sarif: Path, rule_kind: str, tmp: Path) -> list[str]:
    """Every problem `validate --rule-kind RULE_KIND` reports (default levels: error, warning),
    as 'RULE: message arguments' lines."""
    log = tmp / f"validate-{rule_kind}-{sarif.stem}.sarif"
    p = subprocess.run([multitool(), "validate", "--rule-kind", rule_kind, "--log",
                        "ForceOverwrite", "--output", str(log), str(sarif)],
                       capture_output=True, text=True, timeout=300, check=False)
    assert log.is_file(), p.stdout[-2000:] + p.stderr[-2000:]
    run = json.loads(log.read_text(encoding="utf-8-sig"))["runs"][0]
    assert run["invocations"][0]["executionSuccessful"], p.stdout[-2000:]
    return [f"{r['ruleId']}: {r['message'].get('arguments') or r['message'].get('text')}"
            for r in run.get("results", [])]
