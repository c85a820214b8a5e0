"""What the SOC is told about: events, each a digest with a stable id.

An event is built from facts kept in the store (notify/sources.py) and is itself a digest: one
per run, per import, per gate decision, per system and due date, never one per finding. Its id
is a hash of what it is about (the run, the import, the gate result, the system and the date),
never of when it was noticed, so finding it twice changes nothing (the outbox keeps it once).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

#: every kind of event, in the order the docs list them
EVENT_KINDS = (
    "run.finished",           # an assessment run finished: a digest
    "high_risk.new",          # a run found high-risk issues (高风险) the previous run had not
    "finding.new",            # an import brought new findings (one event per import)
    "finding.reopened",       # an import reopened findings
    "gate.blocked",           # the three-synchronous gate blocked a stage
    "assessment.due",         # the next level assessment falls due within `due_days`
    "assessment.overdue",     # it is past due (reminded once a week)
    "waiver.expiring",        # waivers and acceptances of a system end within `expiry_days`
    "rectification.overdue",  # rectifications of a system past their due date
)
SEVERITIES = ("info", "low", "medium", "high", "critical")  # ascending
FINDING_KINDS = ("finding.new", "finding.reopened")


def rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def event_id(kind: str, *key: object) -> str:
    """The stable id of an event: its kind and what it is about (never a time of noticing)."""
    text = "\x1f".join([kind, *(str(k) for k in key)])
    return "cg-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class Event:
    """One event. `facts` is JSON (what the message shows); `counts` are per severity for
    finding events, so routing can ask "any at or above high?"."""

    id: str
    kind: str
    system: str
    severity: str
    created: float  # epoch seconds: when what it reports happened
    facts: dict[str, Any] = field(default_factory=dict)
    level: int | None = None
    department: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def reaches(self, min_severity: str) -> bool:
        """At or above `min_severity`: for finding events, any finding counted at that level."""
        floor = rank(min_severity)
        if self.kind in FINDING_KINDS:
            return any(n and rank(sev) >= floor for sev, n in self.counts.items())
        return rank(self.severity) >= floor

    def payload(self) -> dict[str, Any]:
        return {"facts": self.facts, "level": self.level, "department": self.department,
                "counts": self.counts}

    def row(self) -> tuple[str, str, str, str, float, dict[str, Any]]:
        """The outbox row (store/outbox.enqueue)."""
        return self.id, self.kind, self.system, self.severity, self.created, self.payload()

    @classmethod
    def from_row(cls, event_id: str, kind: str, system: str, severity: str, created: float,
                 payload: dict[str, Any]) -> Event:
        return cls(id=event_id, kind=kind, system=system, severity=severity, created=created,
                   facts=payload.get("facts") or {}, level=payload.get("level"),
                   department=payload.get("department") or "",
                   counts=payload.get("counts") or {})
