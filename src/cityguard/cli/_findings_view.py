"""Printing of `cityguard findings` (tables, JSON, CSV), kept out of the command module."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from cityguard.cli import console
from cityguard.core.csvsafe import csv_line
from cityguard.core.errors import UsageError
from cityguard.model import Finding, Severity

STATUS_ZH = {
    "open": "未处置",
    "reopened": "重新打开",
    "fixed": "已修复",
    "accepted": "已接受风险",
    "false_positive": "误报",
}
LIST_HEADERS = {
    "en": ["id", "severity", "status", "tool", "asset", "port", "rule", "title", "fingerprint"],
    "zh": ["编号", "严重程度", "状态", "工具", "资产", "端口", "规则", "标题", "指纹"],
}
CSV_COLUMNS = [
    "id", "fingerprint", "system", "tool", "format", "severity", "severity_raw", "status",
    "asset_kind", "asset_key", "port", "protocol", "rule_id", "title", "cves", "cwes",
    "cvss_score", "location", "first_seen", "last_seen", "status_by", "status_reason",
    "status_until", "source_file",
]  # fmt: skip


def check_choice(value: str, allowed: Sequence[str], flag: str) -> None:
    if value not in allowed:
        raise UsageError(f"{flag} must be one of {', '.join(allowed)} (got {value!r})")


def split(values: Iterable[str]) -> list[str]:
    """Repeated and comma-separated option values, flattened."""
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def severities(values: Iterable[str]) -> list[str]:
    """Severity filter values; `high+` means high or worse."""
    out: list[str] = []
    for v in split(values):
        at_least = v.endswith("+")
        try:
            sev = Severity.parse(v.rstrip("+"))
        except ValueError:
            known = ", ".join(s.value for s in Severity)
            raise UsageError(f"unknown severity {v!r}; known: {known}") from None
        out += [s.value for s in Severity if s.rank >= sev.rank] if at_least else [sev.value]
    return list(dict.fromkeys(out))


def as_dict(f: Finding) -> dict[str, Any]:
    d = f.to_dict()
    d.pop("unit_ids", None)  # level-dependent: see `findings show`
    d["system"] = f.extra.get("system")
    for key in ("status_at", "status_by", "status_reason", "status_until"):
        d[key] = f.extra.get(key)
    return d


def render_list(findings: Iterable[Finding], fmt: str, lang: str) -> None:
    if fmt == "json":
        # streamed element by element: a store may hold millions of findings
        console.write_data("[")
        first = True
        for f in findings:
            text = json.dumps(as_dict(f), ensure_ascii=False)
            console.write_data(text if first else "," + text)
            first = False
        console.write_data("]")
    elif fmt == "csv":
        console.write_data(csv_line(CSV_COLUMNS))
        for f in findings:
            d = as_dict(f)
            d["cves"], d["cwes"] = " ".join(d["cves"]), " ".join(d["cwes"])
            console.write_data(csv_line([d.get(c) for c in CSV_COLUMNS]))
    else:
        rows = [_row(f, lang) for f in findings]
        console.table(LIST_HEADERS[lang], rows)
        console.info(f"{len(rows)} finding(s)" if lang == "en" else f"共 {len(rows)} 条")


def _row(f: Finding, lang: str) -> list[Any]:
    sev = f.severity.zh if lang == "zh" else f.severity.value
    status = STATUS_ZH.get(f.status, f.status) if lang == "zh" else f.status
    port = f"{f.port}/{f.protocol}" if f.port is not None and f.protocol else f.port
    title = f.title if len(f.title) <= 70 else f.title[:69] + "…"
    return [f.id, sev, status, f.tool, f.asset_key, port, f.rule_id, title, f.fingerprint[:12]]


def render_one(f: Finding, history: list[dict[str, Any]], fmt: str, lang: str) -> None:
    from cityguard.ingest import mapping

    units = mapping.units_by_level(f)
    rules = [r.id for r in mapping.matching_rules(f)]
    if fmt == "json":
        d = as_dict(f)
        d["mlps_units"] = {str(k): list(v) for k, v in units.items()}
        d["mlps_rules"] = rules
        d["history"] = history
        console.write_data(json.dumps(d, ensure_ascii=False, indent=2))
        return
    zh = lang == "zh"
    rows: list[tuple[str, Any]] = [
        ("id", f.id),
        ("fingerprint", f.fingerprint),
        ("system", f.extra.get("system")),
        ("status", STATUS_ZH.get(f.status, f.status) if zh else f.status),
        ("severity", (f.severity.zh if zh else f.severity.value)
         + (f" (raw: {f.severity_raw})" if f.severity_raw else "")),  # fmt: skip
        ("tool / format", f"{f.tool} / {f.format}"),
        ("asset", f"{f.asset_kind}: {f.asset_key}"),
        ("port", f"{f.port}/{f.protocol}" if f.port is not None else ""),
        ("rule", f.rule_id),
        ("title", f.title),
        ("location", f.location),
        ("cvss", f"{f.cvss_score or ''} {f.cvss_vector or ''}".strip()),
        ("cves", " ".join(f.cves)),
        ("cwes", " ".join(f.cwes)),
        ("first / last seen", f"{f.first_seen} / {f.last_seen}"),
        ("source file", f.source_file),
        ("MLPS rules", ", ".join(rules)),
    ]
    rows += [(f"MLPS units L{lvl}", " ".join(ids)) for lvl, ids in units.items()]
    if f.extra.get("status_reason"):
        until = f.extra.get("status_until")
        rows.append(("status by / why", f"{f.extra.get('status_by')}: {f.extra['status_reason']}"
                     + (f" (until {until})" if until else "")))  # fmt: skip
    rows += [("description", f.description[:2000]), ("solution", f.solution[:2000])]
    rows.append(("evidence", f.evidence[:2000]))
    console.table(["field", "value"], [r for r in rows if r[1] not in ("", None)])
    if history:
        console.table(
            ["at", "from", "to", "by", "reason", "until"],
            [(h["at"], h["old_status"], h["new_status"], h["by"], h["reason"], h["until"])
             for h in history],
            title="history" if not zh else "状态变更记录",
        )  # fmt: skip
