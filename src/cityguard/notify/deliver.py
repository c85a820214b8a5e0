"""Events into the outbox, and the outbox out to the targets: never lose, never flood.

- Every event is written (with one delivery per routed target) before anything is sent.
- Each target is worked through in the order its events were written. A delivery the channel
  refuses for good (a configuration error, a message it will never take) is marked failed with
  what to fix, and the next one goes: one bad event never blocks the rest. A delivery that
  should be retried (network down, 429, 5xx, "too fast") is retried with full-jitter backoff,
  honouring Retry-After; if the target stays down it waits in the outbox (with the time of its
  next try) and the target's later deliveries wait behind it, so they arrive in order once it
  is back.
- Rate limits per target: a sliding window per minute (and per second), counted from the
  outbox's attempts, so two runs of cityguard together still keep to a robot's 20 a minute.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cityguard.core.errors import DataError
from cityguard.notify.channels import CHANNELS, Channel, Outcome, Wire
from cityguard.notify.config import NotifyConfig, Target
from cityguard.notify.events import Event
from cityguard.notify.text import message_for
from cityguard.store import Store, outbox


def enqueue(store: Store, config: NotifyConfig, events: Sequence[Event]) -> tuple[int, int]:
    """(new events, new deliveries): what the outbox did not hold yet."""
    routes = {e.id: config.routes(e) for e in events}
    return outbox.enqueue(store.db, [e.row() for e in events], routes)


def make_channel(target: Target) -> Channel:
    return CHANNELS.get(target.type)(target)


def wire_for(channel: Channel, event: Event, now: float) -> Wire:
    target = channel.target
    message = message_for(event, target.lang, min_severity=target.opt("min_severity", "info"),
                          top=int(target.opt("top", 10)))
    return channel.render(message, event, now)


class RateLimit:
    """At most `per_minute` sends in any 60 s (and `per_second` in any 1 s)."""

    def __init__(self, per_minute: int | None, per_second: int | None,
                 seen: Sequence[float] = ()) -> None:
        self.per_minute, self.per_second = per_minute, per_second
        self.sent: deque[float] = deque(seen)

    def wait_time(self, now: float) -> float:
        while self.sent and self.sent[0] <= now - 60:
            self.sent.popleft()
        wait = 0.0
        if self.per_minute and len(self.sent) >= self.per_minute:
            wait = self.sent[-self.per_minute] + 60 - now
        if self.per_second:
            recent = [t for t in self.sent if t > now - 1]
            if len(recent) >= self.per_second:
                wait = max(wait, recent[-self.per_second] + 1 - now)
        return max(0.0, wait)

    def note(self, at: float) -> None:
        self.sent.append(at)


@dataclass
class TargetReport:
    target: str
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Deliverer:
    """The loop, with its clock, sleep and randomness injected (tests run it on a fake clock)."""

    store: Store
    config: NotifyConfig
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    force: bool = False  # `notify retry`: do not wait for a delivery's next try time
    system: str | None = None  # only the deliveries of this system's events (notify/hook.py)
    #: seconds per target (the hook after a command): what cannot go within them waits in
    #: the outbox, with its next try time, for `notify send`
    budget: float | None = None
    _deadline: float | None = field(default=None, init=False, repr=False)

    def run(self, targets: Sequence[str] | None = None) -> list[TargetReport]:
        chosen = [t for t in self.config.targets if not targets or t.name in targets]
        return [self.target(t) for t in chosen]

    def target(self, target: Target) -> TargetReport:
        report = TargetReport(target.name)
        queue = outbox.pending(self.store.db, target.name, system=self.system)
        if not queue:
            return report
        self._deadline = None if self.budget is None else self.clock() + self.budget
        try:
            channel = make_channel(target)
        except DataError as exc:  # a missing secret: nothing is tried, nothing is lost
            report.problems.append(exc.one_line())
            report.waiting = len(queue)
            return report
        per_minute = int(target.opt("per_minute") or channel.per_minute or 0) or None
        limit = RateLimit(per_minute, channel.per_second,
                          outbox.sent_times(self.store.db, target.name, self.clock() - 60))
        try:
            for n, item in enumerate(queue):
                if self._past_deadline(0) or (not self.force and item.next_at > self.clock()):
                    report.waiting = len(queue) - n
                    break
                if not self.one(channel, limit, item, report):
                    report.waiting = len(queue) - n
                    break
        finally:
            channel.close()
        return report

    def one(self, channel: Channel, limit: RateLimit, item: outbox.Queued,
            report: TargetReport) -> bool:
        """Deliver one item; False when the target is down and the rest must wait."""
        target = channel.target
        retry = target.retry
        event = Event.from_row(item.event_id, item.kind, item.system, item.severity,
                               item.created, item.payload)
        waited, attempts = 0.0, item.attempts
        for attempt in range(int(retry["tries"])):
            pause = limit.wait_time(self.clock())
            if pause and self._past_deadline(pause):
                report.problems.append(f"{target.name}: rate limit; waiting in the outbox")
                return False
            if pause:
                self.sleep(pause)
            now = self.clock()
            try:
                wire = wire_for(channel, event, now)  # signed afresh on every attempt
            except (DataError, ValueError, KeyError, TypeError, UnicodeError) as exc:
                detail = f"cannot build the message: {type(exc).__name__}: {exc}"[:300]
                outbox.record(self.store.db, item.delivery_id, at=now, outcome="failed",
                              code="render", detail=detail, state="failed")
                report.failed += 1
                report.problems.append(f"{target.name}: {event.kind} {event.system}: {detail}")
                return True
            outcome = self._send(channel, wire)
            limit.note(now)
            attempts += 1
            if outcome.ok:
                outbox.record(self.store.db, item.delivery_id, at=now, outcome="sent",
                              code=outcome.code, detail=outcome.detail, size=len(wire.body),
                              state="sent")
                report.sent += 1
                return True
            if outcome.final or attempts >= int(retry["give_up_after"]):
                outbox.record(self.store.db, item.delivery_id, at=now, outcome="failed",
                              code=outcome.code, detail=outcome.detail, size=len(wire.body),
                              state="failed")
                report.failed += 1
                report.problems.append(f"{target.name}: {event.kind} {event.system}: "
                                       f"{outcome.code} {outcome.detail}".strip())
                return True
            delay = self.backoff(attempt, outcome, retry)
            last = (attempt == int(retry["tries"]) - 1 or waited + delay > retry["max_seconds"]
                    or self._past_deadline(delay))
            outbox.record(self.store.db, item.delivery_id, at=now, outcome="retry",
                          code=outcome.code, detail=outcome.detail, size=len(wire.body),
                          next_at=now + delay)
            if last:
                report.problems.append(f"{target.name}: {outcome.code} {outcome.detail}; "
                                       "waiting in the outbox".strip())
                return False
            self.sleep(delay)
            waited += delay
        return False

    def _past_deadline(self, wait: float) -> bool:
        """Would waiting `wait` seconds more overrun this target's budget?"""
        return self._deadline is not None and self.clock() + wait > self._deadline

    @staticmethod
    def _send(channel: Channel, wire: Wire) -> Outcome:
        try:
            return channel.send(wire)
        except OSError as exc:  # anything a channel did not expect from the network
            return Outcome.retry("unreachable", wire.mask(f"{type(exc).__name__}: {exc}"))

    def backoff(self, attempt: int, outcome: Outcome, retry: dict[str, float]) -> float:
        """Full jitter: uniform(0, min(cap, base·2^attempt)); Retry-After when the server says."""
        if outcome.retry_after is not None:
            return min(float(outcome.retry_after), float(retry["max_seconds"]))
        ceiling = min(float(retry["cap_seconds"]), float(retry["base_seconds"]) * 2 ** attempt)
        return self.rng.uniform(0, ceiling)


def dry_run(config: NotifyConfig, events: Sequence[Event], now: float,
            targets: Sequence[str] | None = None) -> list[str]:
    """Exactly what would be sent, secrets masked; no socket is opened, nothing is written."""
    out: list[str] = []
    for target in config.targets:
        if targets and target.name not in targets:
            continue
        chosen = [e for e in events if target.wants(e)]
        if not chosen:
            continue
        channel = make_channel(target)
        for event in chosen:
            out.append(wire_for(channel, event, now).describe())
    return out
