"""dpkg-style version order (also right for the RPM versions packages use)."""

from __future__ import annotations

import pytest

from cityguard.engine.versions import compare_versions


@pytest.mark.parametrize(("a", "b", "cmp"), [
    ("1.0", "1.0", 0),
    ("1.0", "1.0.1", -1),
    ("1.10", "1.9", 1),
    ("1.0~rc1", "1.0", -1),
    ("1.0~rc1", "1.0~rc2", -1),
    ("1:1.0", "2.0", 1),
    ("9.2p1-2+deb12u3", "9.2p1-2+deb12u2", 1),
    ("2.4.57-2", "2.4.57-10", -1),
    ("8.0p1-17.el9", "8.0p1-5.el9", 1),
    ("1.0a", "1.0", 1),
    ("1.0-0", "1.0", 0),
    ("007", "7", 0),
])
def test_order(a: str, b: str, cmp: int) -> None:
    assert compare_versions(a, b) == cmp
    assert compare_versions(b, a) == -cmp
