"""`cityguard export`: findings, check results, item verdicts and high-risk issues as OCSF,
CEF or ECS lines, to a file or stdout, or pushed to a SIEM target (elastic, splunk_hec, syslog,
file) in batches. Records keep stable ids, so an export pushed twice is indexed once (the bulk
API answers 409 for what it holds)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

from cityguard.core.errors import UsageError
from cityguard.notify.channels import Channel, Outcome
from cityguard.notify.channels.elastic import Elastic
from cityguard.notify.channels.file import File, append_private
from cityguard.notify.channels.splunk_hec import SplunkHec
from cityguard.notify.channels.syslog import Syslog
from cityguard.notify.events import Event
from cityguard.notify.siem import FORMATS
from cityguard.notify.siem.cef import to_cef
from cityguard.notify.siem.ecs import to_ecs
from cityguard.notify.siem.ocsf import to_ocsf
from cityguard.notify.siem.records import RECORD_KINDS, Record, store_records
from cityguard.store import Store

BATCH = 500


def check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    for k in kinds:
        if k not in RECORD_KINDS:
            raise UsageError(f"unknown record kind {k!r}; known: {', '.join(RECORD_KINDS)}")
    return tuple(kinds) or RECORD_KINDS


def line(record: Record, fmt: str) -> bytes:
    value = FORMATS[fmt](record)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                            separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def write(records: Iterable[Record], fmt: str, out: BinaryIO) -> int:
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    n = 0
    for record in records:
        out.write(line(record, fmt))
        n += 1
    return n


def records(store: Store, since: str, system: str | None, kinds: Sequence[str]
            ) -> Iterator[Record]:
    return store_records(store, since, system=system, kinds=check_kinds(kinds))


@dataclass
class PushReport:
    sent: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


def _batches(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def push(channel: Channel, items: Iterable[Record], *, sleep: Callable[[float], None] =
         time.sleep, tries: int = 5, rng: random.Random | None = None) -> PushReport:
    """Records to a SIEM target in batches; items refused for good are counted and named,
    items to retry (429, busy) are sent again with backoff, the others are not repeated."""
    rng = rng or random.Random()
    report = PushReport()
    for batch in _batches(items, BATCH):
        todo = batch
        for attempt in range(tries):
            left, outcomes = _send_batch(channel, todo)
            for rec, outcome in zip(todo, outcomes, strict=True):
                if outcome.ok:
                    report.sent += 1
                elif outcome.final or attempt == tries - 1:
                    report.failed += 1
                    if len(report.problems) < 20:
                        report.problems.append(f"{rec.uid}: {outcome.code} {outcome.detail}")
            todo = left
            if not todo:
                break
            hint = next((o.retry_after for o in outcomes if o.retry_after), None)
            sleep(hint if hint is not None else rng.uniform(0, min(60.0, 2.0 ** attempt)))
    return report


def _send_batch(channel: Channel, batch: list[Record]) -> tuple[list[Record], list[Outcome]]:
    """(records to try again, an outcome per record)."""
    if isinstance(channel, Elastic):
        results = channel.send_items(channel.bulk((r.uid, to_ecs(r)) for r in batch))
        outcomes = [results] * len(batch) if isinstance(results, Outcome) else results
    elif isinstance(channel, SplunkHec):
        one = channel.send(channel.batch((r.time, to_ecs(r)) for r in batch))
        outcomes = [one] * len(batch)  # HEC takes or refuses a batch whole
    elif isinstance(channel, File):
        data = b"".join(line(r, "ocsf") for r in batch)
        try:
            append_private(channel.path, data)
            outcomes = [Outcome.sent("written")] * len(batch)
        except OSError as exc:
            outcomes = [Outcome.refused("io", str(exc.strerror))] * len(batch)
    elif isinstance(channel, Syslog):
        outcomes = []
        for r in batch:
            stub = Event(id=r.uid, kind=r.kind, system=r.system,
                         severity=str(r.data.get("severity") or "info"), created=r.time)
            body = channel.frame(stub, to_cef(r) if channel.format == "cef" else
                                 json.dumps(to_ocsf(r), ensure_ascii=False), time.time())
            wire = channel.render_raw(body)
            outcomes.append(channel.send(wire))
    else:
        raise UsageError(f"target {channel.target.name!r} ({channel.name}) is not a SIEM "
                         "target: push to elastic, splunk_hec, syslog or file")
    retry = [r for r, o in zip(batch, outcomes, strict=True) if not o.ok and not o.final]
    return retry, outcomes
