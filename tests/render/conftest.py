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


# --- real runs: the example system and this host, through the real CLI process ------------

EXAMPLE_DIR = REPO_ROOT / "examples" / "smart-city-portal"


def _assess(tmp: Path, *args: str, cwd: Path) -> Path:
    import sys

    out = tmp / "run"
    p = subprocess.run([sys.executable, "-m", "cityguard", "assess", *args, "--format", "json",
                        "--output", str(out), "--no-store"], cwd=cwd, capture_output=True,
                       text=True, timeout=300, check=False)
    assert p.returncode in (0, 1), p.stderr[-2000:]
    return out / "assessment.json"


def _load(path: Path):
    import json

    from cityguard.model.serialize import assessment_from_dict

    return assessment_from_dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory):
    """(Assessment, its JSON path) of examples/smart-city-portal, run where its manifest is."""
    if not (EXAMPLE_DIR / "cityguard.yaml").is_file():
        pytest.skip("examples/smart-city-portal is not in this checkout")
    path = _assess(tmp_path_factory.mktemp("example"), cwd=EXAMPLE_DIR)
    return _load(path), path


@pytest.fixture(scope="session")
def local_run(tmp_path_factory: pytest.TempPathFactory):
    """(Assessment, its JSON path) of this host (`--target local`), run from a temp folder."""
    tmp = tmp_path_factory.mktemp("local")
    path = _assess(tmp, "--target", "local", cwd=tmp)
    return _load(path), path
