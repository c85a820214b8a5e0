"""Running `cityguard assess` as a real process for the output tests (conftest fixtures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "scans"
EXAMPLE_DIR = REPO_ROOT / "examples" / "smart-city-portal"
MACHINE = "json,sarif,junit,oscal,csv"
#: the imported files of the issue: CodeQL SARIF, nmap, OpenVAS and ZAP
IMPORTED = ("sarif/codeQL-output.sarif", "nmap/nmap_multiple_port.xml",
            "openvas/many_vuln.xml", "zap/zap_2.16.1_with_req_resp.xml")


def assess(out: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "cityguard", "assess", *args, "--output", str(out)],
                       cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert p.returncode in (0, 1), p.stderr[-3000:]
    return p
