"""Real runs whose outputs the consumer tests read: the example system and this host with
real scanner files of the shared corpus, each run once per session through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from outputs_runs import CORPUS, EXAMPLE_DIR, IMPORTED, MACHINE, assess


@pytest.fixture(scope="session")
def example_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/smart-city-portal as of 2025-09-01 (its manifest's scans included)."""
    if not (EXAMPLE_DIR / "cityguard.yaml").is_file():
        pytest.skip("examples/smart-city-portal is not in this checkout")
    out = tmp_path_factory.mktemp("example") / "out"
    assess(out, "--today", "2025-09-01", "--no-store", "--format", MACHINE, cwd=EXAMPLE_DIR)
    return out


@pytest.fixture(scope="session")
def host_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This host, with the imported SARIF, nmap, OpenVAS and ZAP files of the corpus."""
    if not CORPUS.is_dir():
        pytest.skip(f"scanner corpus not found at {CORPUS}")
    tmp = tmp_path_factory.mktemp("host")
    scans = [a for name in IMPORTED for a in ("--scan", str(CORPUS / name))]
    assess(tmp / "out", "--target", "local", *scans, "--no-store", "--format", MACHINE,
           cwd=tmp)
    return tmp / "out"
