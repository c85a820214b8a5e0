"""Fixtures for engine tests (the helpers live in engine_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import make_run_rules


@pytest.fixture
def run_rules(tmp_path: Path):
    """run_rules(target_or_root, rules, **check_fields) → CheckResult via the real loader."""
    return make_run_rules(tmp_path)
