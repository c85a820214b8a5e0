"""Printing and files of `cityguard systems` and `cityguard rectify` (table, json, csv, xlsx)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard.cli import console
from cityguard.core.atomicfiles import write_atomic
from cityguard.core.csvsafe import csv_lines, safe_cell, write_csv
from cityguard.core.errors import UsageError
from cityguard.model.register import Posture, Rectification, SystemRecord
from cityguard.policy.messages import enum, t
from cityguard.store.ledger import EXPORT_FIELDS, export_row

FORMATS = ("table", "json", "csv", "xlsx")
#: posture columns of `systems list` in csv / xlsx (the table shows a compact subset)
POSTURE_FIELDS = ("last_assessed", "conclusion", "compliance_rate", "next_due", "overdue",
                  "high_risks_open", "findings_critical", "findings_high", "findings_medium",
                  "rectifications_overdue", "waivers_expiring", "gates")  # fmt: skip


def check_choice(value: str, allowed: Sequence[str], flag: str) -> None:
    if value not in allowed:
        raise UsageError(f"{flag} must be one of {', '.join(allowed)} (got {value!r})")


def xlsx_bytes(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _posture_values(p: Posture, lang: str) -> dict[str, Any]:
    f = p.findings_open
    return {
        "last_assessed": p.last_assessed or t("systems.never", lang),
        "conclusion": enum("conclusion", p.conclusion, lang) if p.conclusion else "",
        "compliance_rate": "" if p.compliance_rate is None else round(p.compliance_rate, 1),
        "next_due": p.next_due or "", "overdue": t("systems.yes", lang) if p.overdue else "",
        "high_risks_open": "" if p.high_risks_open is None else p.high_risks_open,
        "findings_critical": f.get("critical", 0), "findings_high": f.get("high", 0),
        "findings_medium": f.get("medium", 0),
        "rectifications_overdue": p.rectifications_overdue,
        "waivers_expiring": p.waivers_expiring,
        "gates": " ".join(f"{enum('stage', s, lang)}:{t('cli.gate_state.' + v, lang)}"
                          for s, v in sorted(p.gates.items())),
    }  # fmt: skip


def render_postures(items: list[Posture], fmt: str, lang: str, output: Path | None) -> None:
    headers = [t(f"systems.field.{f}", lang) for f in EXPORT_FIELDS]
    headers += [t(f"systems.posture.{f}", lang) for f in POSTURE_FIELDS]
    rows = [[*export_row(p.system), *_posture_values(p, lang).values()] for p in items]
    if fmt == "json":
        _emit(json.dumps([p.to_dict() for p in items], ensure_ascii=False, indent=2).encode(),
              output)
    elif fmt == "csv":
        if output is None:
            for line in csv_lines(headers, rows):
                console.write_data(line.rstrip("\n"))
        else:
            _csv_file(output, headers, rows)
    elif fmt == "xlsx":
        _emit(xlsx_bytes(t("systems.sheet", lang), headers, rows), output, binary=True)
    else:
        _table(items, lang)


def _emit(data: bytes, output: Path | None, binary: bool = False) -> None:
    if output is None:
        if binary:
            raise UsageError("--format xlsx needs --output FILE.xlsx")
        console.write_data(data.decode("utf-8"))
        return
    write_atomic(output, data)
    console.success(str(output))


def _csv_file(output: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    import io

    buf = io.BytesIO()
    write_csv(buf, headers, rows)
    _emit(buf.getvalue(), output, binary=True)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(items: list[Posture], lang: str) -> None:
    cols = ["name", "level", "department", "last", "conclusion", "next_due", "high_risks",
            "findings", "rect_overdue"]  # fmt: skip
    rows = []
    for p in items:
        f = p.findings_open
        due = p.next_due or ("—" if not p.never_assessed else t("systems.never", lang))
        rows.append([
            _short(p.system.name, 14), p.system.level or "", _short(p.system.department, 8),
            p.last_assessed or "—",
            enum("conclusion", p.conclusion, lang) if p.conclusion else "—",
            ("!" if p.overdue else "") + due,
            "" if p.high_risks_open is None else p.high_risks_open,
            f"{f.get('critical', 0)}/{f.get('high', 0)}", p.rectifications_overdue or "",
        ])  # fmt: skip
    console.table([t(f"systems.col.{c}", lang) for c in cols], rows)
    console.info(t("systems.count", lang, n=len(items),
                   overdue=sum(1 for p in items if p.overdue)))


def render_record(rec: SystemRecord, p: Posture | None, fmt: str, lang: str) -> None:
    if fmt == "json":
        data = p.to_dict() if p is not None else rec.to_dict()
        console.write_data(json.dumps(data, ensure_ascii=False, indent=2))
        return
    held = set(rec.manifest_fields)
    rows = []
    for f, v in zip(EXPORT_FIELDS, export_row(rec), strict=True):
        mark = " *" if f in held else ""
        rows.append((t(f"systems.field.{f}", lang) + mark, v))
    if p is not None:
        rows += [(t(f"systems.posture.{k}", lang), v) for k, v in _posture_values(p, lang).items()]
        rows.append((t("systems.posture.rectifications_open", lang), p.rectifications_open))
    console.table([t("systems.col.field", lang), t("systems.col.value", lang)],
                  [r for r in rows if r[1] not in ("", None)])
    if held:
        console.info(t("systems.manifest_note", lang, manifest=rec.manifest))


def export_ledger(records: list[SystemRecord], output: Path, lang: str) -> None:
    headers = [t(f"systems.field.{f}", lang) for f in EXPORT_FIELDS]
    rows = [export_row(r) for r in records]
    suffix = output.suffix.lower()
    if suffix == ".xlsx":
        write_atomic(output, xlsx_bytes(t("systems.sheet", lang), headers, rows))
    elif suffix == ".csv":
        _csv_file(output, headers, rows)
        return
    else:
        raise UsageError(f"{output}: export to a .xlsx or a .csv file")
    console.success(str(output))


def render_rectifications(items: list[Rectification], fmt: str, lang: str) -> None:
    fields = ("id", "system", "subject", "title", "owner", "due", "state", "severity",
              "overdue", "verified_by")  # fmt: skip
    if fmt == "json":
        console.write_data(json.dumps([r.to_dict() for r in items], ensure_ascii=False,
                                      indent=2))
        return
    if fmt == "csv":
        rows = [[r.to_dict()[f] for f in fields] for r in items]
        for line in csv_lines([t(f"rectify.col.{f}", lang) for f in fields], rows):
            console.write_data(line.rstrip("\n"))
        return
    rows = [[r.id, _short(r.system, 12), _short(r.subject, 16), r.owner, r.due,
             ("!" if r.overdue else "") + enum("rectify.state", r.state, lang),
             enum("severity", r.severity, lang) if r.severity else ""] for r in items]
    cols = ("id", "system", "subject", "owner", "due", "state", "severity")
    console.table([t(f"rectify.col.{c}", lang) for c in cols], rows)
    console.info(t("rectify.count", lang, n=len(items),
                   overdue=sum(1 for r in items if r.overdue)))


def render_rectification(r: Rectification, history: list[dict[str, Any]], fmt: str,
                         lang: str) -> None:
    if fmt == "json":
        console.write_data(json.dumps({**r.to_dict(), "history": history}, ensure_ascii=False,
                                      indent=2))
        return
    d = r.to_dict()
    d["state"] = enum("rectify.state", r.state, lang)
    d["severity"] = enum("severity", r.severity, lang) if r.severity else ""
    fields = ("id", "system", "subject", "title", "owner", "due", "state", "severity",
              "note", "verified_by")  # fmt: skip
    console.table([t("systems.col.field", lang), t("systems.col.value", lang)],
                  [(t(f"rectify.col.{f}", lang), d[f]) for f in fields
                   if d[f] not in ("", None)])
    console.table(
        [t(f"rectify.col.{c}", lang) for c in ("at", "from", "to", "by", "reason")],
        [(h["at"], enum("rectify.state", h["old_state"], lang),
          enum("rectify.state", h["new_state"], lang), h["by"], h["reason"])
         for h in history],
        title=t("rectify.history", lang),
    )  # fmt: skip
