"""The city overview, kept ready: computing posture for 500 systems over a million findings
takes about half a second, so pages read a copy at most `ttl` seconds old, refreshed by one
background thread (with its own store connection); a change made on the dashboard wakes it at
once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
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
        self.computing = threading.Lock()  # one computation at a time (first request or thread)
        self.fragments: dict[tuple[str, float], str] = {}  # (lang, at) → the rendered body
        self.wake = threading.Event()
        self.stopped = False
        self.thread: threading.Thread | None = None

    def get(self) -> tuple[overview.Overview, float]:
        """(the overview, when it was computed: time.time())."""
        if self.value is None:
            with self.computing:  # waits for the start-up computation rather than repeating it
                if self.value is None:
                    self._compute_now()
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

    def fragment(self, lang: str, at: float, render: Callable[[], str]) -> str:
        """The overview's body rendered once per language and computation (the page around it
        names the user): 20 clients then share one rendering instead of each making its own."""
        key = (lang, at)
        with self.lock:
            found = self.fragments.get(key)
        if found is None:
            found = render()
            with self.lock:
                self.fragments = {k: v for k, v in self.fragments.items() if k[1] == at}
                self.fragments[key] = found
        return found

    def warm(self) -> None:
        """Compute the first copy in the background as the server starts."""
        self._kick()

    def _compute_now(self) -> None:
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
                with self.computing:
                    self._compute_now()
            except Exception:  # noqa: BLE001 - a failed refresh keeps the last copy
                time.sleep(1.0)

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
