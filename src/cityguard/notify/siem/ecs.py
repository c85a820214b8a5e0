"""Elastic Common Schema (8.x) documents: event.* for what happened, vulnerability.* for
scanner findings, rule.* for the check or the MLPS unit, cityguard.* for the rest."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from cityguard.notify.siem.ocsf import CHECK_STATUS, SEVERITY_ID, VERDICT_STATUS
from cityguard.notify.siem.records import Record

#: event.outcome: success only for what passed; everything not judged is unknown
OUTCOME = {1: "success", 2: "failure", 3: "failure"}


def to_ecs(record: Record) -> dict[str, Any]:
    d = record.data
    when = datetime.fromtimestamp(record.time, timezone.utc).isoformat(timespec="milliseconds")
    severity = str(d.get("severity") or ("critical" if record.kind == "high_risk" else "info"))
    doc: dict[str, Any] = {
        "@timestamp": when,
        "ecs": {"version": "8.11.0"},
        "event": {"id": record.uid, "kind": "alert" if "." in record.kind else "state",
                  "category": ["vulnerability" if record.kind == "finding" else
                               "configuration"],
                  "type": ["info"], "action": record.kind,
                  "severity": SEVERITY_ID.get(severity, 0), "module": "cityguard",
                  "dataset": f"cityguard.{record.kind}"},
        "observer": {"product": "cityguard", "vendor": "cityguard"},
        "cityguard": {"system": record.system, "level": d.get("level"),
                      "severity": severity},
        "message": str(d.get("text") or d.get("title") or d.get("title_zh") or
                       d.get("summary_zh") or record.kind),
    }
    asset = d.get("asset") or d.get("asset_key")
    if asset:
        doc["host"] = {"name": str(asset)}
    if record.kind == "finding":
        doc["vulnerability"] = {"id": (d.get("cves") or [d.get("rule_id")])[0],
                                "severity": severity, "scanner": {"vendor": d.get("tool")},
                                "description": d.get("title"),
                                "score": {"base": d.get("cvss_score")}}
        doc["cityguard"]["status"] = d.get("status")
    elif record.kind in ("check", "item", "high_risk"):
        status = d.get("status") if record.kind != "item" else d.get("verdict")
        table = CHECK_STATUS if record.kind == "check" else VERDICT_STATUS
        status_id = table.get(str(status), (0, ""))[0] if record.kind != "high_risk" else 3
        doc["event"]["outcome"] = OUTCOME.get(status_id, "unknown")
        doc["rule"] = {"id": d.get("check_id") or d.get("unit_id") or d.get("case_id"),
                       "ruleset": "MLPS 2.0 (GB/T 22239-2019)"}
        doc["cityguard"].update({"status": status, "unit_ids": d.get("unit_ids") or
                                 ([d["unit_id"]] if d.get("unit_id") else []),
                                 "run_id": d.get("run_id")})
    else:
        doc["cityguard"].update({"event_id": d.get("event_id"), "counts": d.get("counts"),
                                 "title": d.get("title")})
    return doc
