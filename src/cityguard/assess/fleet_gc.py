"""Python's cyclic collector while a fleet's hosts run (issue 25)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: allocations between two young collections while hosts run (Python's default is 700)
FLEET_GC_YOUNG = 20_000
_gc_lock = threading.Lock()
_gc_fleets: list[tuple[int, int, int]] = []  # the threshold before each fleet under way


@contextmanager
def collector_for_fleet() -> Iterator[None]:
    """The cyclic collector leaves what was loaded before the hosts (library, catalog,
    modules: frozen) and runs a young collection every FLEET_GC_YOUNG allocations, not 700.

    Hosts' bundles and traces allocate millions of small objects that all stay alive until
    the report; the default thresholds made the collector walk them, and the library, again
    and again: 0.15-0.2 CPU-s of a 20-host run (issue 25). Cycles are still collected."""
    with _gc_lock:
        _gc_fleets.append(gc.get_threshold())
        young, *older = _gc_fleets[0]
        gc.set_threshold(max(young, FLEET_GC_YOUNG), *older)
        gc.freeze()
    try:
        yield
    finally:
        with _gc_lock:
            first = _gc_fleets[0]
            _gc_fleets.pop()
            if not _gc_fleets:
                gc.set_threshold(*first)
                gc.unfreeze()


__all__ = ["FLEET_GC_YOUNG", "collector_for_fleet"]
