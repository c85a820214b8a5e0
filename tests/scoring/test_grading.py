"""GB/T 22240-2020 grading: all 9 cells of the table for S and for A, and level = max(S, A)."""

from __future__ import annotations

import pytest

from cityguard.core.errors import UsageError
from cityguard.policy.grading import grade, parse_harm

# GB/T 22240-2020 Tables 1-3 (mlps-facts.md §4)
CELLS = [
    ("citizens", "general", 1), ("citizens", "serious", 2), ("citizens", "especially_serious", 2),
    ("social", "general", 2), ("social", "serious", 3), ("social", "especially_serious", 4),
    ("national", "general", 3), ("national", "serious", 4), ("national", "especially_serious", 5),
]


@pytest.mark.parametrize(("obj", "degree", "level"), CELLS)
def test_cell_as_business_information_level(obj, degree, level):
    g = grade((obj, degree), ("citizens", "general"))
    assert (g.s, g.a) == (level, 1)
    assert g.grade == f"S{level}A1" and g.level == level


@pytest.mark.parametrize(("obj", "degree", "level"), CELLS)
def test_cell_as_system_service_level(obj, degree, level):
    g = grade(("citizens", "general"), (obj, degree))
    assert (g.s, g.a) == (1, level)
    assert g.grade == f"S1A{level}" and g.level == level


def test_level_is_the_higher_of_s_and_a():
    """S3 (social, serious) and A2 (citizens, serious) → S3A2, level 3."""
    g = grade(("social", "serious"), ("citizens", "serious"))
    assert (g.grade, g.level, g.needs_review) == ("S3A2", 3, True)
    assert g.to_dict()["s"] == 3 and g.to_dict()["a"] == 2
    assert not grade(("citizens", "general"), ("citizens", "general")).needs_review


def test_parse_harm():
    assert parse_harm("National:Especially-Serious") == ("national", "especially_serious")
    for bad in ("citizens", "people:general", "social:huge", ":general"):
        with pytest.raises(UsageError):
            parse_harm(bad)
