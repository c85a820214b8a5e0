"""The condition grammar of high_risk_rules.yaml, evaluated over one assessed object.

A condition gives (holds, evidence): the evidence lines name what matched, so every high-risk
issue in a report says why it was raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from cityguard.model import Asset, CheckResult, Finding
from cityguard.policy.messages import enum_text, text
from cityguard.scoring.common import at_least


@dataclass
class AssetView:
    """Everything known about one assessed object."""

    asset_id: str
    asset: Asset | None
    internet_facing: bool
    results: list[CheckResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # open findings only
    verdicts: dict[str, str] = field(default_factory=dict)  # unit id → object verdict


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _units_match(spec: Any, unit_ids: tuple[str, ...] | list[str], case_units: set[str]) -> bool:
    if spec is None:
        return True
    if spec == "case":
        return any(u in case_units for u in unit_ids)
    return any(fnmatchcase(u, p) for u in unit_ids for p in _list(spec))


def evaluate(cond: dict[str, Any], view: AssetView, case_units: set[str]) -> tuple[bool, list[str]]:
    (op, arg), = cond.items()
    if op in ("all", "any", "none"):
        outcomes = [evaluate(c, view, case_units) for c in arg]
        if op == "all":
            ok = all(o for o, _ in outcomes)
        elif op == "any":
            ok = any(o for o, _ in outcomes)
        else:
            return not any(o for o, _ in outcomes), []
        return ok, [e for o, ev in outcomes if o for e in ev] if ok else []
    if op == "check":
        ev = _checks(arg, view, case_units)
    elif op == "finding":
        ev = _findings(arg, view, case_units)
    elif op == "asset":
        ev = _asset(arg, view)
    elif op == "verdict":
        ev = _verdicts(arg, view, case_units)
    else:  # the schema refuses anything else; keep the error obvious if it ever changes
        raise ValueError(f"unknown condition {op!r}")
    return bool(ev), ev


def _checks(spec: dict[str, Any], view: AssetView, case_units: set[str]) -> list[str]:
    ids = _list(spec.get("id"))
    statuses = set(_list(spec.get("status")) or ["fail"])
    floor = spec.get("min_severity")
    out = []
    for r in view.results:
        if r.status.value not in statuses:
            continue
        if ids and not any(fnmatchcase(r.check_id, p) for p in ids):
            continue
        if not _units_match(spec.get("unit"), r.unit_ids, case_units):
            continue
        if floor and not at_least(r.severity, floor):
            continue
        fields = {"check": r.check_id, "asset": r.asset,
                  "status": enum_text("status", r.status), "severity": enum_text("severity",
                                                                               r.severity)}
        out.append(text("scoring.hr.check_titled", **fields, title_en=r.title_en,
                        title_zh=r.title_zh) if r.title_en or r.title_zh
                   else text("scoring.hr.check", **fields))
    return out


def _findings(spec: dict[str, Any], view: AssetView, case_units: set[str]) -> list[str]:
    if "internet_facing" in spec and spec["internet_facing"] != view.internet_facing:
        return []
    tags = set(_list(spec.get("tags")))
    cwes = {c.upper() for c in _list(spec.get("cwe"))}
    title = re.compile(spec["title"]) if spec.get("title") else None
    rule = re.compile(spec["rule_id"]) if spec.get("rule_id") else None
    floor = spec.get("min_severity")
    out = []
    for f in view.findings:
        if tags and not tags & set(f.tags):
            continue
        if cwes and not cwes & {c.upper() for c in f.cwes}:
            continue
        if title and not title.search(f.title):
            continue
        if rule and not rule.search(f.rule_id):
            continue
        if spec.get("cve") and not f.cves:
            continue
        if not _units_match(spec.get("unit"), f.unit_ids, case_units):
            continue
        if floor and not at_least(f.severity, floor):
            continue
        where = f.asset_key + (f" {f.location}" if f.location else "")
        cves = f" [{', '.join(f.cves[:3])}]" if f.cves else ""
        facing = text("scoring.hr.facing_suffix") if view.internet_facing else ""
        out.append(text("scoring.hr.finding", rule=f"{f.tool}:{f.rule_id}", title=repr(f.title),
                        cves=cves, severity=enum_text("severity", f.severity), where=where,
                        facing=facing))
    return out


def _asset(spec: dict[str, Any], view: AssetView) -> list[str]:
    facts = []
    if "internet_facing" in spec:
        if spec["internet_facing"] != view.internet_facing:
            return []
        facts.append(text("scoring.hr.facing" if view.internet_facing
                          else "scoring.hr.not_facing"))
    if "type" in spec:
        kind = view.asset.type if view.asset else ""
        if kind not in _list(spec["type"]):
            return []
        facts.append(text("scoring.hr.type", kind=enum_text("asset_type", kind)))
    if "tags" in spec:
        have = set(view.asset.tags) if view.asset else set()
        hit = have & set(_list(spec["tags"]))
        if not hit:
            return []
        facts.append(text("scoring.hr.tagged", tags=", ".join(sorted(hit))))
    return [text("scoring.hr.asset", asset=view.asset_id, items=facts)]


def _verdicts(spec: dict[str, Any], view: AssetView, case_units: set[str]) -> list[str]:
    wanted = set(spec["in"])
    out = []
    for uid, verdict in sorted(view.verdicts.items()):
        if verdict in wanted and _units_match(spec.get("unit"), [uid], case_units):
            out.append(text("scoring.hr.item", unit=uid, asset=view.asset_id,
                            verdict=enum_text("verdict", verdict)))
    return out
