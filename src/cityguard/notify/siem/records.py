"""What a SIEM receives, in one shape before any format: scanner findings, check results, item
verdicts and high-risk issues from the store, and the notifier's own events."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cityguard.notify.events import Event
from cityguard.store import Store
from cityguard.store.notify_facts import findings_seen_since, runs_created_since

RECORD_KINDS = ("finding", "check", "item", "high_risk")


@dataclass(frozen=True)
class Record:
    kind: str  # finding | check | item | high_risk | an event kind
    uid: str  # stable: the same record exported twice has the same uid
    system: str
    time: float  # epoch seconds
    data: dict[str, Any] = field(default_factory=dict)


def _uid(*parts: object) -> str:
    text = "\x1f".join(str(p) for p in parts)
    return "cg:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def epoch(stamp: object) -> float:
    """An ISO date or timestamp of the store → epoch seconds (local time when no zone)."""
    text = str(stamp or "")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def store_records(store: Store, since: str, *, system: str | None = None,
                  kinds: Sequence[str] = RECORD_KINDS) -> Iterator[Record]:
    """Findings last seen since `since`, then what each run created since then judged."""
    if "finding" in kinds:
        for f in findings_seen_since(store.db, since, system):
            yield Record("finding", _uid("finding", f["system"], f["fingerprint"]), f["system"],
                         epoch(f["last_seen"]), f)
    if not {"check", "item", "high_risk"} & set(kinds):
        return
    for run in runs_created_since(store.db, since, system):
        yield from run_records(run["document"], kinds)


def run_records(doc: dict[str, Any], kinds: Sequence[str] = RECORD_KINDS) -> Iterator[Record]:
    system = (doc.get("system") or {}).get("name", "")
    level = (doc.get("system") or {}).get("level")
    run_id, when = doc.get("run_id", ""), epoch(doc.get("created"))
    if "check" in kinds:
        for r in doc.get("results") or ():
            yield Record("check", _uid("check", run_id, r.get("check_id"), r.get("asset")),
                         system, when, {**r, "level": level, "run_id": run_id})
    if "item" in kinds:
        for i in doc.get("items") or ():
            yield Record("item", _uid("item", run_id, i.get("unit_id")), system, when,
                         {**i, "level": level, "run_id": run_id})
    if "high_risk" in kinds:
        for h in doc.get("high_risks") or ():
            yield Record("high_risk", _uid("high_risk", run_id, h.get("case_id"),
                                           h.get("asset")), system, when,
                         {**h, "level": level, "run_id": run_id, "severity": "critical"})


def event_record(event: Event, title: str, text: str) -> Record:
    """A notifier event as one SIEM record (its id is the event id: the SIEM dedups on it)."""
    data = {"title": title, "text": text, "severity": event.severity, "level": event.level,
            "department": event.department, "counts": event.counts, "event_id": event.id,
            "facts": event.facts}
    return Record(event.kind, event.id, event.system, event.created, data)
