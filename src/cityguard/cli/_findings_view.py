"""Printing of `cityguard findings` (tables, JSON, CSV), kept out of the command module."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cityguard.cli import console
from cityguard.cli._layout import Col
from cityguard.cli._text import short_path
from cityguard.core.csvsafe import csv_line
from cityguard.core.errors import UsageError
from cityguard.model import Finding, Severity
from cityguard.policy.messages import enum, t

#: list columns: message key, and which go first when the terminal is narrow
LIST_COLUMNS = (("id", 0), ("severity", 0), ("status", 0), ("tool", 3), ("asset", 0),
                ("port", 2), ("rule", 1), ("title", 0), ("fingerprint", 4))
CSV_COLUMNS = [
    "id", "fingerprint", "system", "tool", "format", "severity", "severity_raw", "status",
    "asset_kind", "asset_key", "port", "protocol", "rule_id", "title", "cves", "cwes",
    "cvss_score", "location", "first_seen", "last_seen", "status_by", "status_reason",
    "status_until", "source_file",
]  # fmt: skip


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
            raise UsageError(t("cli.unknown_severity", "en", got=repr(v), known=known)) from None
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
        cols = [Col(t(f"cli.findings_col.{key}", lang), drop=drop,
                    clip=key in ("title", "asset"), min_width=16 if key == "title" else 12,
                    justify="right" if key == "id" else "left")
                for key, drop in LIST_COLUMNS]
        console.table(cols, rows)
        console.info(t("cli.findings_count", lang, n=len(rows)))


def _row(f: Finding, lang: str) -> list[Any]:
    port = f"{f.port}/{f.protocol}" if f.port is not None and f.protocol else f.port
    return [f.id, enum("severity", f.severity.value, lang), enum("finding_status", f.status, lang),
            f.tool, f.asset_key, port, f.rule_id, f.title, f.fingerprint[:12]]


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
    raw = f" (raw: {f.severity_raw})" if f.severity_raw else ""
    until = f.extra.get("status_until")
    why = (f"{f.extra.get('status_by')}: {f.extra['status_reason']}"
           + (t("cli.findings_until", lang, day=until) if until else "")
           if f.extra.get("status_reason") else "")  # fmt: skip
    rows: list[tuple[str, Any]] = [
        ("id", f.id),
        ("fingerprint", f.fingerprint),
        ("system", f.extra.get("system")),
        ("status", enum("finding_status", f.status, lang)),
        ("severity", enum("severity", f.severity.value, lang) + raw),
        ("tool_format", f"{f.tool} / {f.format}"),
        ("asset", f"{f.asset_kind}: {f.asset_key}"),
        ("port", f"{f.port}/{f.protocol}" if f.port is not None else ""),
        ("rule", f.rule_id),
        ("title", f.title),
        ("location", f.location),
        ("cvss", f"{f.cvss_score or ''} {f.cvss_vector or ''}".strip()),
        ("cves", " ".join(f.cves)),
        ("cwes", " ".join(f.cwes)),
        ("seen", f"{f.first_seen} / {f.last_seen}"),
        ("source_file", short_path(f.source_file) if f.source_file else ""),
        ("mlps_rules", ", ".join(rules)),
    ]
    labelled = [(t(f"cli.findings_field.{key}", lang), value) for key, value in rows]
    labelled += [(t("cli.findings_field.units", lang, level=lvl), " ".join(ids))
                 for lvl, ids in units.items()]
    labelled += [(t(f"cli.findings_field.{key}", lang), value) for key, value in (
        ("why", why), ("description", f.description[:2000]), ("solution", f.solution[:2000]),
        ("evidence", f.evidence[:2000]))]
    console.fields(labelled)
    if history:
        console.table(
            [Col(t(f"cli.findings_history.{k}", lang)) for k in
             ("at", "from", "to", "by", "reason", "until")],
            [(h["at"], enum("finding_status", h["old_status"], lang),
              enum("finding_status", h["new_status"], lang), h["by"], h["reason"], h["until"])
             for h in history],
            title=t("cli.findings_history_title", lang),
        )  # fmt: skip
