"""Presentation of catalog items for `cityguard catalog` (tables, JSON, CSV)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cityguard.cli import console
from cityguard.cli._layout import Col
from cityguard.core.csvsafe import csv_lines
from cityguard.core.errors import UsageError
from cityguard.model import Importance, Item, Selection
from cityguard.policy.catalog import (
    cases_for,
    load_catalog,
    make_selection,
    search_items,
    select_items,
)
from cityguard.policy.checkmap import Mapping, load_mappings
from cityguard.policy.messages import enum, pick, t

CSV_FIELDS = (
    "unit_id", "clause_ref", "level", "part", "class", "class_zh", "class_en",
    "control_point_zh", "control_point_en", "sa_tag", "importance", "assessed_by",
    "summary_zh", "summary_en",
)


def list_items(
    level: int | None,
    grade: str | None,
    ext: Sequence[str],
    class_code: str | None,
    search: str | None,
    policies: Sequence[str],
) -> tuple[list[Item], Selection]:
    catalog = load_catalog(policies)
    selection = make_selection(level, grade, ext)
    items = select_items(catalog, selection)
    if class_code:
        code = class_code.strip().upper()
        known = {i.class_code for i in catalog.items}
        if code not in known:
            raise UsageError(t("cli.catalog_unknown_class", "en", got=repr(class_code),
                               known=", ".join(sorted(known))))
        items = [i for i in items if i.class_code == code]
    if search:
        items = search_items(items, search)
    return items, selection


def item_json(item: Item) -> dict[str, Any]:
    d = item.to_dict()
    d["importance_zh"] = Importance(item.importance).zh
    return d


def render_items(items: list[Item], fmt: str, lang: str) -> None:
    if fmt == "json":
        console.write_data(json.dumps([item_json(i) for i in items], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        rows = []
        for i in items:
            d = item_json(i)
            d["assessed_by"] = ";".join(i.assessed_by)
            rows.append([d[k] for k in CSV_FIELDS])
        console.write_data("".join(csv_lines(CSV_FIELDS, rows)))
        return
    rows = [
        (
            i.unit_id,
            i.clause_ref,
            pick(i.control_point_zh, i.control_point_en, lang),
            enum("importance", i.importance, lang),
            pick(i.summary_zh, i.summary_en, lang),
        )
        for i in items
    ]
    cols = [Col(t("cli.catalog_col_unit", lang)), Col(t("cli.catalog_col_clause", lang), drop=1),
            Col(t("cli.col_control_point", lang)),
            Col(t("cli.catalog_col_importance", lang), drop=2),
            Col(t("cli.catalog_col_summary", lang), clip=True, min_width=30)]
    console.table(cols, rows)
    console.info(t("cli.catalog_count", lang, n=len(items)))


def render_coverage(
    items: list[Item], selection: Selection, policies: Sequence[str], fmt: str, lang: str
) -> None:
    """Per class: items selected, items with automated checks mapped at this level."""
    from cityguard.policy.checkmap import load_checkmap

    mapped = load_checkmap(selection.level, policies)
    covered_units = {u for units in mapped.values() for u in units}
    per_class: dict[str, list[Item]] = {}
    for i in items:
        per_class.setdefault(i.class_code, []).append(i)
    rows = []
    for code, its in per_class.items():
        n = sum(1 for i in its if i.unit_id in covered_units)
        rows.append({
            "class": code,
            "class_zh": its[0].class_zh,
            "class_en": its[0].class_en,
            "items": len(its),
            "automated": n,
            "percent": round(100 * n / len(its), 1),
        })
    if fmt == "json":
        console.write_data(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console.table(
        [Col(t("cli.col_class", lang)), Col(t("cli.col_class_name", lang), drop=1),
         Col(t("cli.coverage_col_items", lang), justify="right"),
         Col(t("cli.coverage_col_automated", lang), justify="right"), Col("%", justify="right")],
        [(r["class"], pick(r["class_zh"], r["class_en"], lang), r["items"], r["automated"],
          r["percent"]) for r in rows],
    )
    total = sum(r["items"] for r in rows)
    auto = sum(r["automated"] for r in rows)
    console.info(t("cli.coverage_total", lang, automated=auto, total=total))


def show_item(unit_id: str, fmt: str, lang: str, policies: Sequence[str]) -> None:
    catalog = load_catalog(policies)
    item = catalog.by_id().get(unit_id.strip().upper())
    if item is None:
        raise UsageError(t("cli.catalog_unknown_item", "en", got=repr(unit_id)))
    cases = cases_for(catalog, item.unit_id)
    mappings = _mappings_for(item.unit_id, item.level, policies)
    checks = sorted(m.check for m in mappings)
    if fmt == "json":
        d = item_json(item)
        d["high_risk_cases"] = [c.to_dict() for c in cases]
        d["checks"] = checks
        # the role says whether a check decides the verdict or only advises (issue 11)
        d["check_roles"] = [{"check": m.check, "role": m.role, "why": m.why}
                            for m in sorted(mappings, key=lambda m: m.check)]
        console.write_data(json.dumps(d, ensure_ascii=False, indent=2))
        return
    key = t  # the labels of the rows
    rows = [
        (key("cli.catalog_col_unit", lang), item.unit_id),
        (key("cli.catalog_col_clause", lang), f"GB/T 22239-2019 {item.clause_ref}"),
        (key("cli.catalog_level", lang), item.level),
        (key("cli.col_class", lang), f"{item.class_code} {item.class_zh} / {item.class_en}"),
        (key("cli.col_control_point", lang),
         f"{item.control_point_zh} / {item.control_point_en}"),
        ("S/A/G", item.sa_tag),
        (key("cli.catalog_col_importance", lang),
         f"{enum('importance', item.importance, lang)} ({item.importance})"),
        (key("cli.catalog_assessed_by", lang), ", ".join(item.assessed_by)),
        (key("cli.catalog_col_summary", lang), pick(item.summary_zh, item.summary_en, lang)),
    ]
    if item.note:
        rows.append((key("cli.catalog_note", lang), item.note))
    decisive = sorted(m.check for m in mappings if m.decisive)
    advisory = sorted(m.check for m in mappings if not m.decisive)
    if not mappings:
        rows.append((key("cli.catalog_checks", lang), key("cli.catalog_no_checks", lang)))
    if decisive:
        rows.append((key("cli.catalog_checks_decisive", lang), decisive))
    if advisory:
        rows.append((key("cli.catalog_checks_advisory", lang), advisory))
    for c in cases:
        mitigable = key("cli.case_mitigable" if c.mitigable else "cli.case_not_mitigable", lang)
        rows.append((key("cli.catalog_case", lang), f"{c.case_id} [{c.scope}; {mitigable}] "
                     f"{pick(c.trigger_zh, c.trigger_en, lang)}"))
    console.fields(rows)


def _mappings_for(unit_id: str, level: int, policies: Sequence[str]) -> tuple[Mapping, ...]:
    return load_mappings(level, policies).get(unit_id, ())
