"""Events from the facts of the store (`cityguard notify scan`): what happened since the last
scan (runs, imports, gate decisions) and what stands today (due and overdue assessments,
waivers and acceptances about to end, rectifications past due).

Watermarks in notify_state make each scan read only what is new; the stable event ids make a
scan that reads something twice harmless. A first scan reads the last day only, so configuring
notifications on an old store does not replay its history (`--since` reads a chosen window).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from cityguard.notify.config import NotifyConfig
from cityguard.notify.events import Event, event_id, rank
from cityguard.store import Store
from cityguard.store import notify_facts as facts
from cityguard.store.outbox import get_state, set_state

TOP_STORED = 100  # findings an event keeps for its message; the rest are counted
_CONCLUSION_SEVERITY = {"non_compliant": "high", "basically_compliant": "medium",
                        "compliant": "info"}


def _epoch(stamp: object) -> float:
    try:
        return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()


_MARKS = ("scan.runs", "scan.imports", "scan.gates")


def scan(store: Store, config: NotifyConfig, *, today: date | None = None,
         since: str | None = None, advance: bool = True, system: str | None = None
         ) -> list[Event]:
    """Every event the store's facts give now; advances the watermarks (unless a dry run).

    With `system` (the hook after a command, notify/hook.py): only that system's runs,
    imports and gate results, read from its own watermarks (never the SOC-wide ones: a run is
    stamped when it starts, so a long assessment may be kept after `notify scan` has passed
    its stamp), which alone advance, so `notify scan` still reads every other system's facts
    (and finds this one's already queued). The dated events (due, overdue, expiring, late)
    come from the calendar, not from a command: they stay with `notify scan`."""
    today = today or date.today()
    db = store.db
    register = {r.name: r for r in store.register_list()}
    marks = _marks(db, system)
    if since is None and marks is None:  # a first scan: the last day
        since = (datetime.now().astimezone() - timedelta(days=1)).isoformat(timespec="seconds")
    if since is not None:  # a window by time: every id is read, the stamps decide
        run_mark, imp_mark, gate_mark = since, 0, 0
    else:
        run_mark, imp_mark, gate_mark = marks  # type: ignore[misc]
    events: list[Event] = []
    newest_run = run_mark
    for run in facts.runs_since(db, run_mark, system=system):
        events += run_events(db, run, config.top)
        newest_run = max(newest_run, str(run["created"]))
    imports = facts.imports_after(db, imp_mark, system=system)
    for imp in imports:
        if since is not None and str(imp["imported_at"]) < since:
            continue
        events += import_events(db, imp)
    gates = facts.gates_after(db, gate_mark, system=system)
    for gate in gates:
        if not gate["passed"] and (since is None or str(gate["at"]) >= since):
            events.append(gate_event(gate))
    if system is None:
        events += standing_events(store, config, today)
    if config.scope_system is not None:
        events = [e for e in events if e.system == config.scope_system]
    events = [_with_register(e, register) for e in events]
    if not advance:
        return events
    suffix = "" if system is None else f"@{system}"
    set_state(db, "scan.runs" + suffix, newest_run)
    set_state(db, "scan.imports" + suffix,
              str(max([imp_mark, *(i["id"] for i in imports)])))
    set_state(db, "scan.gates" + suffix, str(max([gate_mark, *(g["id"] for g in gates)])))
    return events


def _marks(db: Any, system: str | None) -> tuple[str, int, int] | None:
    """(runs, imports, gates) to read after (the SOC-wide scan's, or one system's own);
    None before the first such scan."""
    suffix = "" if system is None else f"@{system}"
    runs, imports, gates = (get_state(db, k + suffix) for k in _MARKS)
    if imports is None:
        return None
    return str(runs or ""), int(imports), int(gates or 0)


def _with_register(event: Event, register: dict[str, Any]) -> Event:
    rec = register.get(event.system)
    if rec is None:
        return event
    return Event(id=event.id, kind=event.kind, system=event.system, severity=event.severity,
                 created=event.created, facts=event.facts, level=event.level or rec.level,
                 department=event.department or rec.department, counts=event.counts)


def run_events(db: Any, run: dict[str, Any], top: int) -> list[Event]:
    doc, system = run["document"], run["system"]
    summary = doc.get("summary") or {}
    level = (doc.get("system") or {}).get("level")
    department = (doc.get("system") or {}).get("department") or ""
    open_high = [h for h in doc.get("high_risks") or () if h.get("status", "open") == "open"]
    before = facts.previous_run(db, system, str(run["created"]), str(run["run_id"]))
    known = {(h.get("case_id"), h.get("asset")) for h in (before or {}).get("high_risks") or ()
             if h.get("status", "open") == "open"}
    new_high = [_high(h) for h in open_high if (h.get("case_id"), h.get("asset")) not in known]
    failures = sorted((r for r in doc.get("results") or () if r.get("status") == "fail"),
                      key=lambda r: -rank(str(r.get("severity"))))
    not_checked = summary.get("not_checked")
    when = _epoch(run["created"])
    conclusion = str(summary.get("conclusion") or "")
    digest = {
        "run_id": run["run_id"], "conclusion": conclusion,
        "rate": summary.get("compliance_rate"), "score": summary.get("score"),
        "high_open": len(open_high), "new_high_risks": new_high[:top],
        "non_compliant": sum(1 for i in doc.get("items") or ()
                             if i.get("verdict") == "non_compliant"),
        "not_checked": len(not_checked) if isinstance(not_checked, list) else
        int(not_checked or 0) if isinstance(not_checked, int) else 0,
        "top_failures": [{k: r.get(k) for k in ("check_id", "asset", "severity", "title_zh",
                                                 "title_en")} for r in failures[:top]],
    }
    severity = "critical" if new_high else _CONCLUSION_SEVERITY.get(conclusion, "medium")
    out = [Event(event_id("run.finished", run["run_id"]), "run.finished", system, severity,
                 when, digest, level, department)]
    if new_high:
        out.append(Event(event_id("high_risk.new", run["run_id"]), "high_risk.new", system,
                         "critical", when, {"run_id": run["run_id"], "n": len(new_high),
                                            "high_risks": new_high[:TOP_STORED]},
                         level, department))
    return out


def _high(h: dict[str, Any]) -> dict[str, Any]:
    return {k: h.get(k) for k in ("case_id", "asset", "title_zh", "title_en", "unit_ids")}


def import_events(db: Any, imp: dict[str, Any]) -> list[Event]:
    out = []
    when = _epoch(imp["imported_at"])
    source = {"import_id": imp["id"], "tool": imp["tool"], "file": imp["file"]}
    for kind, count, reader in (("finding.new", imp["new"], facts.new_findings),
                                ("finding.reopened", imp["reopened"], facts.reopened_findings)):
        if not count:
            continue
        counts, listed = reader(db, imp["id"], top=TOP_STORED)
        worst = max(counts, key=rank) if counts else "info"
        out.append(Event(event_id(kind, imp["system"], imp["id"]), kind, imp["system"], worst,
                         when, {**source, "n": sum(counts.values()), "findings": listed},
                         counts=counts))
    return out


def gate_event(gate: dict[str, Any]) -> Event:
    return Event(event_id("gate.blocked", gate["system"], gate["id"]), "gate.blocked",
                 gate["system"], "high", _epoch(gate["at"]),
                 {"stage": gate["stage"], "failed": gate["failed"][:50],
                  "n": len(gate["failed"]), "run_id": gate["run_id"]})


def standing_events(store: Store, config: NotifyConfig, today: date) -> Iterator[Event]:
    """Due and overdue assessments, expiring waivers, late rectifications: one event per
    system and state, its id fixed by the dates, so each is told once (overdue: weekly)."""
    now = time.time()
    horizon = (today + timedelta(days=config.due_days)).isoformat()
    year, week_no = today.isocalendar()[:2]
    week = f"{year}-W{week_no:02d}"
    for p in store.posture(today):
        name = p.system.name
        if p.overdue:
            yield Event(event_id("assessment.overdue", name, p.next_due, week),
                        "assessment.overdue", name, "high", now,
                        {"due": p.next_due or "-", "last": p.last_assessed,
                         "interval": p.interval_months})
        elif p.next_due and p.next_due <= horizon:
            days = (date.fromisoformat(p.next_due) - today).days
            yield Event(event_id("assessment.due", name, p.next_due), "assessment.due", name,
                        "medium", now, {"due": p.next_due, "last": p.last_assessed,
                                        "interval": p.interval_months, "days": days})
    until = (today + timedelta(days=config.expiry_days)).isoformat()
    for name, items in facts.expiring(store.db, today.isoformat(), until).items():
        key = sorted(f"{i['kind']}:{i['ref']}:{i['expires']}" for i in items)
        yield Event(event_id("waiver.expiring", name, *key), "waiver.expiring", name, "medium",
                    now, {"n": len(items), "days": config.expiry_days, "items": items[:50]})
    late: dict[str, list[dict[str, Any]]] = {}
    for r in store.rectifications(overdue=True):
        late.setdefault(r.system, []).append({"id": r.id, "title": r.title or r.subject,
                                              "owner": r.owner, "due": r.due})
    for name, items in late.items():
        key = sorted(f"{i['id']}:{i['due']}" for i in items)
        yield Event(event_id("rectification.overdue", name, *key), "rectification.overdue",
                    name, "high", now, {"n": len(items), "items": items[:50]})
