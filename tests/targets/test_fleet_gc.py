"""The collector while a fleet runs: raised young threshold and frozen start-up objects, both
undone afterwards, also when fleets overlap; cycles made meanwhile are still collected."""

from __future__ import annotations

import gc
import weakref

from cityguard.assess.fleet_gc import FLEET_GC_YOUNG, collector_for_fleet


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_threshold_and_freeze_are_undone() -> None:
    before = gc.get_threshold()
    with collector_for_fleet():
        assert gc.get_threshold()[0] == max(before[0], FLEET_GC_YOUNG)
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_overlapping_fleets_restore_the_first_threshold() -> None:
    before = gc.get_threshold()
    outer = collector_for_fleet()
    inner = collector_for_fleet()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first fleet ends while the second still runs
    assert gc.get_threshold()[0] == max(before[0], FLEET_GC_YOUNG)
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_a_fleet_are_collected() -> None:
    with collector_for_fleet():
        ref = weakref.ref(_Node())
        assert ref() is not None  # alive: only a cycle holds it
        kept = [[] for _ in range(3 * FLEET_GC_YOUNG)]  # live objects: a young collection runs
        assert ref() is None
        assert len(kept) == 3 * FLEET_GC_YOUNG
