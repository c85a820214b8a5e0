"""Fixtures of the renderer tests: the sample Assessment, the reference schemas, Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from render_sample import build_sample

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = REPO_ROOT.parent / "shared" / "reference" / "schemas"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture
def sample():
    return build_sample()


@pytest.fixture
def reference_schemas() -> Path:
    if not SCHEMAS.is_dir():
        pytest.skip(f"reference schemas not found at {SCHEMAS} (../shared is absent)")
    return SCHEMAS


@pytest.fixture(scope="session")
def chromium_bin() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if not found:
        pytest.skip("headless Chromium not installed (.ci/run installs the Debian package)")
    return found


@pytest.fixture
def chromium(chromium_bin: str, tmp_path: Path):
    """Run headless Chromium on a local file with the flags a closed network needs."""

    def run(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        profile = tmp_path / "chromium-profile"
        return subprocess.run(
            [chromium_bin, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )

    return run
