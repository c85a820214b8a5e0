"""OCSF 1.8.0 records: Vulnerability Finding (2002) for scanner findings, Compliance Finding
(2003) for check results, item verdicts, high-risk issues and the notifier's events.

A status that was not judged never maps to Pass: `not_applicable`, `manual`, `error`,
`not_assessed` and unknown values become status_id 0 (Unknown) or 99 (Other) with a
`status_detail` saying what was not checked; `partial` is 2 (Warning).
"""

from __future__ import annotations

from typing import Any

from cityguard import __version__
from cityguard.notify.siem.records import Record

SCHEMA_VERSION = "1.8.0"
SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SEVERITY_NAME = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High",
                 5: "Critical"}
#: compliance.status_id (1 Pass, 2 Warning, 3 Fail, 0 Unknown, 99 Other) and the detail for
#: what was not judged
CHECK_STATUS = {"pass": (1, ""), "fail": (3, ""),
                "error": (0, "not checked: the check could not run"),
                "manual": (0, "not checked: needs a person's review"),
                "not_applicable": (99, "not applicable: not checked")}
VERDICT_STATUS = {"compliant": (1, ""), "partial": (2, "partially compliant"),
                  "non_compliant": (3, ""),
                  "not_applicable": (99, "not applicable: not assessed"),
                  "not_assessed": (0, "not assessed")}
STATUS_NAME = {1: "Pass", 2: "Warning", 3: "Fail"}


def _base(record: Record, class_uid: int, severity: str) -> dict[str, Any]:
    sev = SEVERITY_ID.get(severity, 0)
    return {
        "class_uid": class_uid, "category_uid": 2, "activity_id": 1,
        "type_uid": class_uid * 100 + 1, "severity_id": sev, "severity": SEVERITY_NAME[sev],
        "time": int(record.time * 1000),
        "metadata": {"version": SCHEMA_VERSION, "uid": record.uid,
                     "product": {"name": "cityguard", "vendor_name": "cityguard",
                                 "version": __version__}},
        "status_id": 1,
    }


def _resource(record: Record) -> list[dict[str, Any]]:
    asset = str(record.data.get("asset") or record.data.get("asset_key") or "")
    out: dict[str, Any] = {"type": "system", "name": record.system or "-"}
    if asset:
        out = {"type": str(record.data.get("asset_kind") or "host"), "name": asset,
               "group": {"name": record.system or "-"}}
    return [out]


def _standards(record: Record) -> list[str]:
    level = record.data.get("level")
    return [f"GB/T 22239-2019 L{level}" if level else "GB/T 22239-2019"]


def _compliance(record: Record, status_id: int, detail: str, control: str,
                requirements: list[str]) -> dict[str, Any]:
    comp: dict[str, Any] = {"standards": _standards(record), "control": control,
                            "status_id": status_id}
    if status_id in STATUS_NAME:
        comp["status"] = STATUS_NAME[status_id]
    if detail:
        comp["status_detail"] = detail
    if requirements:
        comp["requirements"] = requirements
    return comp


def to_ocsf(record: Record) -> dict[str, Any]:
    d = record.data
    if record.kind == "finding":
        out = _base(record, 2002, d.get("severity", "info"))
        vuln: dict[str, Any] = {"title": str(d.get("title") or d.get("rule_id") or "")}
        cves = [c for c in d.get("cves") or () if c]
        cwes = [c for c in d.get("cwes") or () if c]
        if cves:  # exactly one of cve, cwe, advisory (OCSF >= 1.5)
            cve: dict[str, Any] = {"uid": cves[0]}
            if d.get("cvss_score") is not None:
                cve["cvss"] = [{"version": _cvss_version(d.get("cvss_vector")),
                                "base_score": float(d["cvss_score"])}]
            vuln["cve"] = cve
            if len(cves) > 1:
                vuln["related_vulnerabilities"] = cves[1:20]
        elif cwes:
            vuln["cwe"] = {"uid": str(cwes[0]).removeprefix("CWE-")}
        else:
            vuln["advisory"] = {"uid": str(d.get("rule_id") or "-"),
                                "title": str(d.get("title") or "")}
        out["vulnerabilities"] = [vuln]
        out["finding_info"] = {"uid": record.uid, "title": str(d.get("title") or "-"),
                               "types": [str(d.get("tool") or "scanner")]}
        out["status_id"] = {"open": 1, "reopened": 1, "fixed": 4, "accepted": 3,
                            "false_positive": 5}.get(str(d.get("status")), 99)
        out["resources"] = _resource(record)
        out["message"] = str(d.get("title") or "")
        return out
    if record.kind == "check":
        status_id, detail = CHECK_STATUS.get(str(d.get("status")), (0, "not checked"))
        control, title = str(d.get("check_id") or "-"), d.get("title_zh") or d.get("check_id")
        reqs = [str(u) for u in d.get("unit_ids") or ()]
    elif record.kind == "item":
        status_id, detail = VERDICT_STATUS.get(str(d.get("verdict")), (0, "not assessed"))
        control, title = str(d.get("unit_id") or "-"), d.get("summary_zh") or d.get("unit_id")
        reqs = [str(d.get("unit_id"))] if d.get("unit_id") else []
    elif record.kind == "high_risk":
        status_id = 3 if d.get("status", "open") == "open" else 2
        detail = "" if status_id == 3 else "mitigated"
        control, title = str(d.get("case_id") or "-"), d.get("title_zh") or d.get("case_id")
        reqs = [str(u) for u in d.get("unit_ids") or ()]
    else:  # a notifier event
        status_id, detail = (2, str(record.kind)) if d.get("severity") in ("info", "low",
                                                                            "medium") \
            else (3, "")
        control, title = str(record.kind), d.get("title") or record.kind
        reqs = []
    out = _base(record, 2003, str(d.get("severity") or _severity_of(record)))
    out["compliance"] = _compliance(record, status_id, detail, control, reqs)
    out["finding_info"] = {"uid": record.uid, "title": str(title or "-"),
                           "types": [record.kind]}
    out["resources"] = _resource(record)
    out["message"] = str(title or "")
    return out


def _severity_of(record: Record) -> str:
    if record.kind == "high_risk":
        return "critical"
    if record.kind == "item":
        return {"key": "high", "important": "medium"}.get(str(record.data.get("importance")),
                                                          "low")
    return "info"


def _cvss_version(vector: object) -> str:
    text = str(vector or "")
    if text.startswith("CVSS:"):
        return text[5:8]
    return "2.0" if text else "3.1"
