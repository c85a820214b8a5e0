"""The terminal view of `cityguard report diff` (tables through cityguard.cli.console)."""

from __future__ import annotations

from typing import Any

from cityguard.cli import console
from cityguard.cli._layout import Col
from cityguard.render import i18n


def show(d: Any, lang: str) -> None:
    t = i18n.translator(lang)
    console.table(
        [Col(""), Col(t("run_id")), Col(t("created"), drop=1), Col(t("compliance_rate")),
         Col(t("conclusion"))],
        [(t("before"), d.run_before, d.created_before, _rate(d.rate_before),
          i18n.enum_label(i18n.CONCLUSION, d.conclusion_before, lang)),
         (t("after"), d.run_after, d.created_after, _rate(d.rate_after),
          i18n.enum_label(i18n.CONCLUSION, d.conclusion_after, lang))],
        title=f"{t('diff_title')}: {d.system}",
    )
    if d.empty:
        console.info(t("nothing_changed"))
        return
    for key, rows in (("items_worse", d.items_worse), ("items_better", d.items_better),
                      ("items_changed", d.items_changed)):
        if rows:
            console.table([Col(t("item")), Col(t("control_point"), drop=1), Col(t("before")),
                           Col(t("after"))],
                          [(c.unit_id, c.name, _v(c.before, lang), _v(c.after, lang))
                           for c in rows], title=f"{t(key)} ({len(rows)})")
    sections = (("sec_high_risks", d.high_risks_new, t("worse")),
                ("new_findings", d.findings_new, ""), ("new_risks", d.risks_new, ""),
                ("sec_high_risks", d.high_risks_gone, t("better")),
                ("fixed_findings", d.findings_fixed, ""), ("gone_risks", d.risks_gone, ""))
    for key, rows, prefix in sections:
        if rows:
            title = f"{prefix + ': ' if prefix else ''}{t(key)} ({len(rows)})"
            console.table([Col(t("severity") + " / " + t("risk_level")), Col(t("asset")),
                           Col(t("title"), clip=True, min_width=24), Col("ID", drop=1)],
                          [(e.level, e.asset, e.title, e.key[:16]) for e in rows[:200]],
                          title=title)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _v(verdict: str | None, lang: str) -> str:
    return i18n.verdict(verdict, lang) if verdict else "—"
