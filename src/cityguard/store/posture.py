"""Each system's posture, computed from the store in a handful of grouped queries.

- last assessment: the newer of the newest stored run (date, conclusion, compliance rate) and
  the newest level-assessment report (等级测评报告) its manifest lists (date, conclusion);
- next due: last assessment + the interval (the record's, else the level's default: level 2
  every 24 months, level 3 every 12, level 4 every 6; level 1 has none). CITYGUARD_ASSESSMENT_
  INTERVALS="3=12,4=6" (or `--interval`) changes the defaults. A live system (stage deploy,
  operate or unknown) with an interval that was never assessed is overdue;
- open high-risk issues of the newest run; open findings by severity; rectifications past
  their due date; waivers and acceptances ending within the window (30 days); the latest gate
  result per stage.
"""

from __future__ import annotations

import calendar
import os
from collections import defaultdict
from datetime import date, timedelta

from cityguard.core.errors import UsageError
from cityguard.model.register import Posture, SystemRecord
from cityguard.store.backends import Db
from cityguard.store.register import listing

DEFAULT_INTERVALS = {2: 24, 3: 12, 4: 6}
WAIVER_WINDOW_DAYS = 30
LIVE_STAGES = ("deploy", "operate", "")


def parse_intervals(text: str, where: str = "--interval") -> dict[int, int]:
    """"3=12,4=6" → {3: 12, 4: 6} (level → months)."""
    out: dict[int, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        level, _, months = part.partition("=")
        try:
            lv, mo = int(level), int(months)
        except ValueError:
            lv = mo = 0
        if lv not in (1, 2, 3, 4) or not 1 <= mo <= 60:
            raise UsageError(f"{where}: {part!r} is not LEVEL=MONTHS (level 1-4, 1-60 months)")
        out[lv] = mo
    return out


def intervals(overrides: dict[int, int] | None = None) -> dict[int, int]:
    out = dict(DEFAULT_INTERVALS)
    env = os.environ.get("CITYGUARD_ASSESSMENT_INTERVALS", "").strip()
    if env:
        out.update(parse_intervals(env, "CITYGUARD_ASSESSMENT_INTERVALS"))
    out.update(overrides or {})
    return out


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compute(db: Db, today: date, *, overrides: dict[int, int] | None = None,
            window_days: int = WAIVER_WINDOW_DAYS) -> list[Posture]:
    """The posture of every system of the store, by name."""
    per_level = intervals(overrides)
    day, horizon = today.isoformat(), (today + timedelta(days=window_days)).isoformat()
    runs: dict[str, tuple] = {}
    for r in db.all(
        "SELECT r.system, r.run_id, r.created, r.conclusion, r.compliance_rate, r.score,"
        " r.high_risks_open FROM runs r JOIN (SELECT system, max(created) AS created FROM runs"
        " GROUP BY system) m ON m.system = r.system AND m.created = r.created"
    ):
        if r[0] not in runs or r[1] > runs[r[0]][1]:
            runs[r[0]] = tuple(r)
    open_findings: dict[int, dict[str, int]] = defaultdict(dict)
    for sid, sev, _status, n in db.all(  # grouped in the order of findings_system_severity
        "SELECT system_id, severity, status, count(*) FROM findings WHERE status IN"
        " ('open', 'reopened') GROUP BY system_id, severity, status"
    ):
        open_findings[sid][sev] = open_findings[sid].get(sev, 0) + int(n)
    rect: dict[int, tuple[int, int]] = {}
    for sid, late, n in db.all(
        "SELECT system_id, sum(CASE WHEN due < ? THEN 1 ELSE 0 END), count(*) FROM"
        " rectifications WHERE state IN ('open', 'in_progress') GROUP BY system_id", [day]
    ):
        rect[sid] = (int(late or 0), int(n))
    expiring: dict[str, int] = defaultdict(int)
    for name, n in db.all("SELECT system, count(*) FROM waivers WHERE expires >= ? AND"
                          " expires <= ? GROUP BY system", [day, horizon]):
        expiring[name] += int(n)
    by_id: dict[int, int] = {}
    for sid, n in db.all(
        "SELECT system_id, count(*) FROM findings WHERE status IN ('accepted', 'false_positive')"
        " AND status_until >= ? AND status_until <= ? GROUP BY system_id", [day, horizon]
    ):
        by_id[sid] = int(n)
    gates: dict[str, dict[str, str]] = defaultdict(dict)
    for name, stage, passed in db.all(
        "SELECT g.system, g.stage, g.passed FROM gate_results g JOIN (SELECT max(id) AS id"
        " FROM gate_results GROUP BY system, stage) m ON m.id = g.id"
    ):
        gates[name][stage] = "pass" if passed else "fail"
    out = []
    for rec in listing(db):
        p = Posture(system=rec, findings_open=open_findings.get(rec.id or 0, {}),
                    gates=gates.get(rec.name, {}))
        p.rectifications_overdue, p.rectifications_open = rect.get(rec.id or 0, (0, 0))
        p.waivers_expiring = expiring.get(rec.name, 0) + by_id.get(rec.id or 0, 0)
        _assessment(p, rec, runs.get(rec.name), per_level, today)
        out.append(p)
    return out


def _assessment(p: Posture, rec: SystemRecord, run: tuple | None, per_level: dict[int, int],
                today: date) -> None:
    if run is not None:
        _, p.last_run_id, created, p.conclusion, p.compliance_rate, p.score, high = run
        p.last_assessed, p.last_source = str(created)[:10], "run"
        p.high_risks_open = None if high is None else int(high)
    if rec.report_date and (p.last_assessed is None or rec.report_date > p.last_assessed):
        p.last_assessed, p.last_source = rec.report_date, "report"
        p.conclusion, p.compliance_rate, p.score = rec.report_conclusion, None, None
    p.interval_months = rec.interval_months or (per_level.get(rec.level) if rec.level else None)
    if p.last_assessed is None:
        p.never_assessed = True
        p.overdue = p.interval_months is not None and rec.stage in LIVE_STAGES
        return
    if p.interval_months is not None:
        try:
            last = date.fromisoformat(p.last_assessed)
        except ValueError:
            return
        due = add_months(last, p.interval_months)
        p.next_due, p.overdue = due.isoformat(), due < today
