"""The notify commands end to end, one function each (cli/notify.py parses and prints)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cityguard.notify import sources
from cityguard.notify.channels import Outcome
from cityguard.notify.config import NotifyConfig
from cityguard.notify.deliver import (
    Deliverer,
    TargetReport,
    dry_run,
    enqueue,
    make_channel,
    wire_for,
)
from cityguard.notify.events import Event, event_id
from cityguard.notify.text import Message
from cityguard.policy.messages import t
from cityguard.store import Store, outbox


@dataclass
class ScanResult:
    events: list[Event]
    new_events: int = 0
    new_deliveries: int = 0
    reports: list[TargetReport] = field(default_factory=list)
    previews: list[str] = field(default_factory=list)


def scan(store: Store, config: NotifyConfig, *, since: str | None = None,
         today: date | None = None, send: bool = True, preview: bool = False,
         deliverer: Deliverer | None = None) -> ScanResult:
    """Events from the store → the outbox → the targets. `preview` (--dry-run) computes and
    shows what would be sent, writing nothing and opening no socket."""
    if preview:
        events = sources.scan(store, config, today=today, since=since, advance=False)
        return ScanResult(events, previews=dry_run(config, events, time.time()))
    events = sources.scan(store, config, today=today, since=since)
    result = ScanResult(events)
    result.new_events, result.new_deliveries = enqueue(store, config, events)
    if send:
        result.reports = (deliverer or Deliverer(store, config)).run()
    return result


def send(store: Store, config: NotifyConfig, targets: Sequence[str] = (), *,
         deliverer: Deliverer | None = None) -> list[TargetReport]:
    for name in targets:
        config.target(name)  # an unknown name is a usage error
    return (deliverer or Deliverer(store, config)).run(targets or None)


def retry(store: Store, config: NotifyConfig, targets: Sequence[str] = (), *,
          deliverer: Deliverer | None = None) -> tuple[int, list[TargetReport]]:
    """Failed and waiting deliveries queued again and sent now (after a fix)."""
    for name in targets:
        config.target(name)
    n = sum(outbox.requeue(store.db, target=t) for t in targets) if targets \
        else outbox.requeue(store.db)
    worker = deliverer or Deliverer(store, config)
    worker.force = True
    return n, worker.run(targets or None)


def preview_pending(store: Store, config: NotifyConfig, targets: Sequence[str] = ()
                    ) -> list[str]:
    """--dry-run of send/retry: the outbox's pending deliveries as they would go out."""
    out: list[str] = []
    now = time.time()
    for target in config.targets:
        if targets and target.name not in targets:
            continue
        queue = outbox.pending(store.db, target.name)
        if not queue:
            continue
        channel = make_channel(target)
        for q in queue:
            event = Event.from_row(q.event_id, q.kind, q.system, q.severity, q.created,
                                   q.payload)
            out.append(wire_for(channel, event, now).describe())
    return out


def test_event(target: str, now: float) -> Event:
    return Event(id=event_id("test", target, int(now)), kind="test", system="cityguard",
                 severity="info", created=now)


def test(config: NotifyConfig, name: str, *, lang: str | None = None, preview: bool = False
         ) -> tuple[str, Outcome | None]:
    """One canned message straight to a target (not through the outbox)."""
    target = config.target(name)
    lang = lang or target.lang
    message = Message(title=t("notify.title.test", lang, target=name),
                      lines=[t("notify.line.test", lang)], lang=lang)
    channel = make_channel(target)
    now = time.time()
    wire = channel.render(message, test_event(name, now), now)
    if preview:
        return wire.describe(), None
    try:
        return wire.describe(), channel.send(wire)
    finally:
        channel.close()


def status(store: Store, *, target: str | None = None, states: Sequence[str] = (),
           limit: int = 20) -> dict[str, Any]:
    return {"summary": outbox.summary(store.db),
            "deliveries": outbox.deliveries(store.db, target=target, states=states,
                                            limit=limit)}
