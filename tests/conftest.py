"""Shared fixtures: the repository root, the shared scanner corpus, and CLI runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "scans"


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Parsed-data cache shared by the whole run, never the developer's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ["CITYGUARD_CACHE"] = os.path.join(os.environ["XDG_CACHE_HOME"], "cityguard")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's own store, policies or terminal width."""
    monkeypatch.setenv("CITYGUARD_STORE", str(tmp_path / "store.db"))
    monkeypatch.delenv("CITYGUARD_POLICIES", raising=False)
    monkeypatch.delenv("CITYGUARD_CHECKS", raising=False)
    monkeypatch.delenv("CITYGUARD_REPORTS", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(autouse=True)
def _outputs_follow_their_schemas(tmp_path: Path):
    """Every assessment.json and gate.json a test leaves behind follows its published schema
    (tests/output_schemas.py)."""
    yield
    from output_schemas import check_tree

    problems = check_tree(tmp_path)
    assert not problems, "an output breaks its schema:\n" + "\n".join(problems[:20])


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"scanner corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture
def cli():
    """Invoke the CLI in-process the way the console script does (main() error handling)."""
    from typer.testing import CliRunner

    from cityguard.cli import app

    runner = CliRunner()

    def invoke(*args: str, **kwargs):
        return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)

    return invoke


def run_cityguard(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                  timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m cityguard …` as a real process (exit codes and stderr as a user sees)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cityguard", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def cityguard_proc():
    return run_cityguard
