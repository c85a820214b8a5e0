"""Fixtures of the notification tests: a loopback receiver and a store (notify_loopback.py
holds the receivers and helpers the tests import)."""

from __future__ import annotations

from pathlib import Path

import pytest
from notify_loopback import Receiver

from cityguard.store import open_store


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "cg.db"


@pytest.fixture
def st(store_path: Path):
    with open_store(store_path) as store:
        yield store
