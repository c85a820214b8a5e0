"""The city overview, kept ready: computing posture for 500 systems over a million findings
takes about half a second, so pages read a copy at most `ttl` seconds old, refreshed by one
background thread (with its own store connection); a change made on the dashboard wakes it at
once."""

from __future__ import annotations

import threading
import time
from typing import Any

from cityguard.web import overview


class OverviewCache:
    def __init__(self, pool: Any, ttl: float) -> None:
        self.pool = pool
        self.ttl = ttl
        self.value: overview.Overview | None = None
        self.at = 0.0  # time.time() of the computation, for the page
        self.mono = 0.0  # time.monotonic() of it, for the age
        self.lock = threading.Lock()
        self.first = threading.Lock()  # one request computes the very first copy
        self.wake = threading.Event()
        self.stopped = False
        self.thread: threading.Thread | None = None

    def get(self) -> tuple[overview.Overview, float]:
        """(the overview, when it was computed: time.time())."""
        if self.value is None:
            with self.first:
                if self.value is None:
                    self._compute()
        with self.lock:
            value, at, age = self.value, self.at, time.monotonic() - self.mono
        if age >= self.ttl:
            self._kick()
        assert value is not None
        return value, at

    def invalidate(self) -> None:
        """Figures changed (a triage): recompute now, in the background."""
        with self.lock:
            self.mono = 0.0
        self._kick()

    def _kick(self) -> None:
        if self.stopped:
            return
        if self.thread is None:
            with self.lock:
                if self.thread is None:
                    self.thread = threading.Thread(target=self._loop, daemon=True,
                                                   name="cityguard-overview")
                    self.thread.start()
        self.wake.set()

    def _compute(self) -> None:
        value = overview.compute(self.pool.get())
        with self.lock:
            self.value, self.at, self.mono = value, time.time(), time.monotonic()

    def _loop(self) -> None:
        while not self.stopped:
            self.wake.wait()
            self.wake.clear()
            if self.stopped:
                break
            try:
                self._compute()
            except Exception:  # noqa: BLE001 - a failed refresh keeps the last copy
                time.sleep(1.0)

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
