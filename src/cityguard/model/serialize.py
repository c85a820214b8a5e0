"""The Assessment as a JSON document (schemas/assessment.schema.json) and back.

The JSON is the public contract: `results` (one object per check and asset), `items`,
`control_points`, `classes`, `summary`, `high_risks`, `risks`, `findings`. The store keeps
this document, so `cityguard report` renders a stored run exactly as it was.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from cityguard.model.assessment import (
    SCHEMA_VERSION,
    Assessment,
    Asset,
    GroupScore,
    HighRisk,
    ItemResult,
    ObjectVerdict,
    Question,
    Risk,
    Summary,
    SystemInfo,
)
from cityguard.model.common import CheckStatus, Severity
from cityguard.model.findings import Finding
from cityguard.model.results import CheckResult, Evidence
from cityguard.model.text import from_msg, from_msgs


def plain(value: Any) -> Any:
    """Dataclasses, enums and tuples as JSON values."""
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def assessment_to_dict(a: Assessment) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": a.run_id,
        "created": a.created,
        "tool": {"name": "cityguard", "version": a.tool_version},
        "system": a.system.to_dict(),
        "assets": [x.to_dict() for x in a.assets],
        "selection": plain(a.selection),
        "summary": plain(a.summary) if a.summary else None,
        "results": [r.to_dict() for r in a.results],
        "items": plain(a.items),
        "control_points": plain(a.control_points),
        "classes": plain(a.classes),
        "high_risks": plain(a.high_risks),
        "risks": plain(a.risks),
        "findings": [finding_to_dict(f) for f in a.findings],
        "waivers": plain(a.waivers),
        "scans": plain(a.scans),
        "history": plain(a.history),
    }


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """A finding; one the store knows also says what the store knows (`stored`): the earlier
    scan it came from and its date, and its triage (who accepted it, why, until when)."""
    d = f.to_dict()
    stored = f.extra.get("stored")
    if stored:
        d["stored"] = stored
    return d


def _build(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def _result(d: dict[str, Any]) -> CheckResult:
    return CheckResult(
        check_id=d["check_id"],
        asset=d["asset"],
        status=CheckStatus(d["status"]),
        severity=Severity(d["severity"]),
        unit_ids=tuple(d.get("unit_ids", ())),
        title_zh=d.get("title_zh", ""),
        title_en=d.get("title_en", ""),
        evidence=tuple(_evidence(e) for e in d.get("evidence", ())),
        reason=from_msg(d.get("reason", ""), d.get("reason_msg")),
        remediation_zh=d.get("remediation_zh", ""),
        remediation_en=d.get("remediation_en", ""),
        duration_ms=d.get("duration_ms", 0.0),
        waived=d.get("waived", False),
        waiver=d.get("waiver"),
    )


def _evidence(d: dict[str, Any]) -> Evidence:
    data = {k: from_msg(d[k], d.get(f"{k}_msg")) if isinstance(d.get(k), str) else d.get(k)
            for k in ("subject", "expected", "message") if k in d}
    return _build(Evidence, {**d, **data})


def _summary(d: dict[str, Any]) -> Summary:
    s = _build(Summary, d)
    s.not_checked = from_msgs(s.not_checked, d.get("not_checked_msgs"))
    s.warnings = from_msgs(s.warnings, d.get("warnings_msgs"))
    return s


def _high_risk(d: dict[str, Any]) -> HighRisk:
    h = _build(HighRisk, d)
    h.evidence = from_msgs(h.evidence, d.get("evidence_msgs"))
    h.mitigation = from_msg(h.mitigation, d.get("mitigation_msg"))
    return h


def _finding(d: dict[str, Any]) -> Finding:
    data = dict(d)
    data["severity"] = Severity(data["severity"])
    for key in ("cves", "cwes", "references", "tags", "unit_ids"):
        data[key] = tuple(data.get(key) or ())
    fp = data.pop("fingerprint", "")
    stored = data.pop("stored", None)
    f = _build(Finding, data)
    f._fingerprint = fp
    if stored:
        f.extra["stored"] = stored
    return f


def _object(d: dict[str, Any]) -> ObjectVerdict:
    ov = _build(ObjectVerdict, d)
    ov.open_questions = [_build(Question, q) for q in d.get("open_questions", [])]
    return ov


def _item(d: dict[str, Any]) -> ItemResult:
    item = _build(ItemResult, d)
    item.objects = [_object(o) for o in d.get("objects", [])]
    return item


def assessment_from_dict(d: dict[str, Any]) -> Assessment:
    system = dict(d.get("system") or {})
    system["extensions"] = tuple(system.get("extensions", ()))
    assets = []
    for x in d.get("assets", []):
        x = dict(x)
        x["tags"] = tuple(x.get("tags", ()))
        assets.append(_build(Asset, x))
    return Assessment(
        run_id=d["run_id"],
        created=d["created"],
        tool_version=(d.get("tool") or {}).get("version", ""),
        system=_build(SystemInfo, system),
        assets=assets,
        selection=d.get("selection") or {},
        results=[_result(r) for r in d.get("results", [])],
        findings=[_finding(f) for f in d.get("findings", [])],
        items=[_item(i) for i in d.get("items", [])],
        control_points=[_build(GroupScore, g) for g in d.get("control_points", [])],
        classes=[_build(GroupScore, g) for g in d.get("classes", [])],
        summary=_summary(d["summary"]) if d.get("summary") else None,
        high_risks=[_high_risk(h) for h in d.get("high_risks", [])],
        risks=[_build(Risk, r) for r in d.get("risks", [])],
        waivers=d.get("waivers", []),
        scans=d.get("scans", []),
        history=d.get("history", []),
    )
