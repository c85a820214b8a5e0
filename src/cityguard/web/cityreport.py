"""`cityguard report city`: the city overview as files for the city's leading group (the
monthly report): HTML (one self-contained page that prints on A4), PDF (the same page laid out
by render/pdfengine, with its signature block), XLSX and Markdown. The same figures as the
dashboard's front page (web/overview.py); per department and district, and the systems that
need action. Files are private (0600 in folders made 0700) and written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard.core import atomicfiles
from cityguard.core.csvsafe import safe_cell
from cityguard.core.errors import UsageError
from cityguard.policy.messages import t
from cityguard.render import pdfengine
from cityguard.render._templates import md_text
from cityguard.store import open_store
from cityguard.web import overview, templating
from cityguard.web.overview_view import chart_context

FORMATS = {"html": "city-report.html", "pdf": "city-report.pdf", "xlsx": "city-report.xlsx",
           "md": "city-report.md"}


def parse_formats(spec: Sequence[str]) -> list[str]:
    names = [p.strip().lower() for s in spec for p in s.split(",") if p.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise UsageError(f"--format for the city report: {', '.join(FORMATS)} "
                         f"(got {', '.join(unknown) or 'nothing'})")
    return list(dict.fromkeys(names))


def html(ov: overview.Overview, lang: str) -> str:
    return templating.render("city.html.j2", lang, ov=ov, links=False,
                             action_limit=len(ov.actions), css=templating.stylesheet(),
                             **chart_context(ov, lang))


def _conclusion(p: Any, lang: str) -> str:
    return t(f"web.conclusion.{p.conclusion or 'none'}", lang)


def _rate(value: float | None) -> str:
    return templating.percent(value)


def markdown(ov: overview.Overview, lang: str) -> str:
    def row(cells: Sequence[object]) -> str:
        return "| " + " | ".join(md_text(c) for c in cells) + " |"

    def table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
        return [row(head), "|" + "---|" * len(head), *(row(r) for r in rows), ""]

    c = lambda key, **f: t(key, lang, **f)  # noqa: E731
    out = [f"# {c('city.title')}", "", c("city.period", day=ov.day), "",
           c("city.not_checked", never=ov.never_assessed), ""]
    out += table([c("city.figure"), c("city.value")], [
        (c("web.ov.systems"), ov.systems), (c("web.ov.high_risks"), ov.high_risks_open),
        (c("web.ov.critical_open"), ov.findings_open.get("critical", 0)),
        (c("web.ov.high_open"), ov.findings_open.get("high", 0)),
        (c("web.ov.overdue"), ov.overdue), (c("web.ov.rect_overdue"), ov.rect_overdue),
        (c("web.ov.waivers_expiring"), ov.waivers_expiring)])
    out += [f"## {c('web.ov.by_level')}", ""]
    out += table([c("web.col.level"), *(c(f"web.conclusion.{k}") for k in overview.CONCLUSIONS)],
                 [(c(f"web.level.{lv}"), *(n[k] for k in overview.CONCLUSIONS))
                  for lv, n in ov.by_level.items()])
    out += [f"## {c('web.ov.needs_action')}", ""]
    out += table([c("web.col.system"), c("web.col.department"), c("web.col.conclusion"),
                  c("web.col.next_due"), c("web.col.reasons")],
                 [(a.posture.system.name, a.posture.system.department,
                   _conclusion(a.posture, lang), a.posture.next_due or "—",
                   "；".join(_reason(a.posture, r, lang) for r in a.reasons))
                  for a in ov.actions])
    for key, rows, col in (("web.ov.by_department", ov.departments, "web.col.department"),
                           ("web.ov.by_district", ov.districts, "web.col.district")):
        out += [f"## {c(key)}", ""]
        out += table([c(col), *(c(f"web.col.{k}") for k in _GROUP_COLS)],
                     [(g.name or c("web.ov.unset"), *_group_values(g)) for g in rows])
    out += [f"## {c('web.ov.trend')}", ""]
    out += table([c("web.col.month"), c("web.col.mean_rate"), c("web.col.high_risks"),
                  c("web.col.opened"), c("web.col.fixed")],
                 [(p.month, _rate(p.compliance_rate), p.high_risks, p.opened, p.fixed)
                  for p in ov.trend])
    return "\n".join(out)


_GROUP_COLS = ("systems", "overdue", "non_compliant", "high_risks", "critical", "high",
               "rect_overdue", "waivers_expiring", "mean_rate")


def _group_values(g: overview.GroupRow) -> list[object]:
    return [g.systems, g.overdue, g.non_compliant, g.high_risks, g.critical, g.high,
            g.rect_overdue, g.waivers_expiring, _rate(g.mean_rate)]


def _reason(p: Any, key: str, lang: str) -> str:
    return t(f"web.reason.{key}", lang, high=p.high_risks_open or 0,
             critical=p.findings_open.get("critical", 0), rect=p.rectifications_overdue,
             waivers=p.waivers_expiring)


def xlsx(ov: overview.Overview, lang: str) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    c = lambda key, **f: t(key, lang, **f)  # noqa: E731
    wb = Workbook()

    def sheet(title: str, head: Sequence[str], rows: Sequence[Sequence[object]],
              first: bool = False) -> None:
        ws = wb.active if first else wb.create_sheet()
        ws.title = title[:31]
        ws.append(list(head))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([safe_cell(v) for v in r])
        ws.freeze_panes = "A2"
        for col in ws.columns:
            width = max(len(str(x.value or "")) for x in col)
            ws.column_dimensions[col[0].column_letter].width = min(max(width * 1.6, 8), 60)

    sheet(c("city.sheet.overview"), [c("city.figure"), c("city.value")], [
        (c("city.period", day=ov.day), ""), (c("web.ov.systems"), ov.systems),
        (c("web.ov.high_risks"), ov.high_risks_open),
        (c("web.ov.critical_open"), ov.findings_open.get("critical", 0)),
        (c("web.ov.high_open"), ov.findings_open.get("high", 0)),
        (c("web.ov.overdue"), ov.overdue), (c("web.reason.never_assessed"), ov.never_assessed),
        (c("web.ov.rect_overdue"), ov.rect_overdue),
        (c("web.ov.waivers_expiring"), ov.waivers_expiring)], first=True)
    sheet(c("web.ov.needs_action"), [c("web.col.system"), c("web.col.department"),
                                      c("web.col.conclusion"), c("web.col.next_due"),
                                      c("web.col.reasons")],
          [(a.posture.system.name, a.posture.system.department, _conclusion(a.posture, lang),
            a.posture.next_due or "", "；".join(_reason(a.posture, r, lang) for r in a.reasons))
           for a in ov.actions])
    for key, rows, col in (("web.ov.by_department", ov.departments, "web.col.department"),
                           ("web.ov.by_district", ov.districts, "web.col.district")):
        sheet(c(key), [c(col), *(c(f"web.col.{k}") for k in _GROUP_COLS)],
              [(g.name or c("web.ov.unset"), *_group_values(g)) for g in rows])
    sheet(c("web.ov.trend"), [c("web.col.month"), c("web.col.mean_rate"),
                              c("web.col.high_risks"), c("web.col.opened"), c("web.col.fixed")],
          [(p.month, p.compliance_rate, p.high_risks, p.opened, p.fixed) for p in ov.trend])
    sheet(c("city.all_systems"), [c("web.col.system"), c("web.col.department"),
                                  c("web.col.district"), c("web.col.level"),
                                  c("web.col.conclusion"), c("web.col.rate"),
                                  c("web.col.next_due"), c("web.col.high_risks"),
                                  c("web.col.critical"), c("web.col.high")],
          [(p.system.name, p.system.department, p.system.district, p.system.level,
            _conclusion(p, lang), p.compliance_rate, p.next_due or "", p.high_risks_open,
            p.findings_open.get("critical", 0), p.findings_open.get("high", 0))
           for p in ov.postures])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(formats: Sequence[str], output: str | Path | None, *, lang: str = "zh",
          store: str | None = None) -> list[Path]:
    """Render the city report in each format into `output` (a folder); the files written.
    Every format is rendered before any file is moved into place."""
    names = parse_formats(formats)
    folder = Path(output or "cityguard-report")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {folder}: the city report needs a folder")
    with open_store(store) as st:
        ov = overview.compute(st)
    page = html(ov, lang)
    rendered: dict[str, bytes] = {}
    for name in names:
        if name == "html":
            rendered[name] = page.encode("utf-8")
        elif name == "pdf":
            rendered[name] = pdfengine.html_to_pdf(page)
        elif name == "xlsx":
            rendered[name] = xlsx(ov, lang)
        else:
            rendered[name] = markdown(ov, lang).encode("utf-8")
    return [atomicfiles.write_atomic(folder / FORMATS[n], data) for n, data in rendered.items()]
