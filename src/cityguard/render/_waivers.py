"""Waivers as the report shows them: each with its state, and found again on what it covers.

A waiver is declared in the manifest (check, finding fingerprint prefix or item, on an asset)
and applied by the run while it has not expired. The report marks everything a waiver names —
the failed check, the finding, the risk built on them — as waived with its expiry, and calls
out waivers that have expired or expire within EXPIRING_DAYS of the run, on page one.
The run's own judgement (`expired`, `days_left` in the document) wins over a date computed
here, so the report says what the run did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cityguard.model import Assessment, CheckResult, Finding, Risk

EXPIRING_DAYS = 30  # a waiver expiring this close to the run is called out in the summary

_ID = ("id", "waiver_id", "name")
_CHECK = ("check", "check_id", "rule")
_FINDING = ("finding", "fingerprint")
_ITEM = ("item", "unit", "unit_id", "case")
_ASSET = ("asset", "assets", "target")
_REASON = ("reason", "justification", "reason_zh", "note")
_EXPIRES = ("expires", "until", "expiration_date", "expiry", "valid_until")
_APPROVER = ("approver", "approved_by", "by")
_COMPENSATING = ("compensating", "compensating_control", "measure")
_STATE_KEYS = ("expired", "days_left")  # the run's judgement, shown as the state


@dataclass
class WaiverRow:
    id: str
    kind: str  # check | finding | item | "" (what the waiver names)
    subject: str
    asset: str
    reason: str
    expires: str
    approver: str
    compensating: str
    state: str  # active | expiring | expired
    days_left: int | None
    other: list[tuple[str, str]]  # site-specific fields, as declared

    @property
    def expired(self) -> bool:
        return self.state == "expired"


def _first(d: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, str]:
    for k in keys:
        v = d.get(k)
        if v not in (None, "", []):
            return k, ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    return "", ""


def _days_left(expires: str, run_day: str) -> int | None:
    try:
        return (date.fromisoformat(expires[:10]) - date.fromisoformat(run_day[:10])).days
    except ValueError:
        return None


def row(w: dict[str, Any], run_day: str) -> WaiverRow:
    used: set[str] = set(_STATE_KEYS)
    cols: dict[str, str] = {}
    for name, keys in (("id", _ID), ("check", _CHECK), ("finding", _FINDING), ("item", _ITEM),
                       ("asset", _ASSET), ("reason", _REASON), ("expires", _EXPIRES),
                       ("approver", _APPROVER), ("compensating", _COMPENSATING)):
        k, v = _first(w, keys)
        used.update(keys)
        cols[name] = v
    kind = next((k for k in ("check", "finding", "item") if cols[k]), "")
    days = w.get("days_left")
    days = days if isinstance(days, int) else _days_left(cols["expires"], run_day)
    expired = bool(w.get("expired")) or (days is not None and days < 0)
    state = ("expired" if expired
             else "expiring" if days is not None and days <= EXPIRING_DAYS else "active")
    other = [(k, str(v)) for k, v in w.items() if k not in used and v not in (None, "", [])]
    return WaiverRow(cols["id"], kind, cols[kind] if kind else "", cols["asset"],
                     cols["reason"], cols["expires"], cols["approver"], cols["compensating"],
                     state, days, other)


def waivers(a: Assessment) -> list[WaiverRow]:
    """The waivers as declared, each with its state on the day of the run."""
    return [row(w, a.created) for w in a.waivers]


class WaiverIndex:
    """Which waiver (applied or expired) names a check result, a finding or a risk."""

    def __init__(self, a: Assessment, rows: list[WaiverRow]) -> None:
        self.rows = rows
        self._results = {(r.asset, r.check_id): r for r in a.results}

    def _match(self, kind: str, key: str, asset: str | None) -> WaiverRow | None:
        for w in self.rows:
            if w.kind != kind or (asset is not None and w.asset and w.asset != asset):
                continue
            if (kind == "finding" and key.startswith(w.subject)) or w.subject == key:
                return w
        return None

    def for_result(self, r: CheckResult) -> WaiverRow | None:
        found = self._match("check", r.check_id, r.asset)
        if found is None and r.waived and r.waiver:  # applied by item, or not declared here
            found = row(r.waiver, "")
        return found

    def for_finding(self, f: Finding) -> WaiverRow | None:
        # the run applies a finding waiver by fingerprint alone (the scanner's asset key is
        # rarely the manifest's asset id), and so does the report
        return self._match("finding", f.fingerprint, None)

    def for_risk(self, r: Risk) -> WaiverRow | None:
        if r.vulnerability_kind == "check":
            result = self._results.get((r.asset, r.vulnerability))
            if result is not None:
                return self.for_result(result)
            return self._match("check", r.vulnerability, r.asset)
        return self._match("finding", r.vulnerability, None)
