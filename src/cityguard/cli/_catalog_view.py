"""Presentation of catalog items for `cityguard catalog` (tables, JSON, CSV)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cityguard.cli import console
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
            raise UsageError(f"unknown class {class_code!r}; known: {', '.join(sorted(known))}")
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
    zh = lang == "zh"
    rows = [
        (
            i.unit_id,
            i.clause_ref,
            i.control_point_zh if zh else i.control_point_en,
            Importance(i.importance).zh if zh else i.importance,
            i.summary_zh if zh else i.summary_en,
        )
        for i in items
    ]
    cols = ["测评单元", "条款", "控制点", "重要程度", "要求概述"] if zh else [
        "unit", "clause", "control point", "importance", "summary"]
    console.table(cols, rows)
    console.info(f"{len(items)} items" if not zh else f"共 {len(items)} 项")


def render_coverage(
    items: list[Item], selection: Selection, policies: Sequence[str], fmt: str
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
            "items": len(its),
            "automated": n,
            "percent": round(100 * n / len(its), 1),
        })
    if fmt == "json":
        console.write_data(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console.table(
        ["class", "类别", "items", "automated", "%"],
        [(r["class"], r["class_zh"], r["items"], r["automated"], r["percent"]) for r in rows],
    )
    total = sum(r["items"] for r in rows)
    auto = sum(r["automated"] for r in rows)
    console.info(f"{auto}/{total} selected items have automated checks mapped")


def show_item(unit_id: str, fmt: str, lang: str, policies: Sequence[str]) -> None:
    catalog = load_catalog(policies)
    item = catalog.by_id().get(unit_id.strip().upper())
    if item is None:
        raise UsageError(f"no item {unit_id!r} in the catalog (try `cityguard catalog --search`)")
    cases = cases_for(catalog, item.unit_id)
    checks = _checks_for(item.unit_id, item.level, policies)
    if fmt == "json":
        d = item_json(item)
        d["high_risk_cases"] = [c.to_dict() for c in cases]
        d["checks"] = checks
        console.write_data(json.dumps(d, ensure_ascii=False, indent=2))
        return
    zh = lang == "zh"
    importance = Importance(item.importance)
    rows = [
        ("测评单元" if zh else "unit", item.unit_id),
        ("条款" if zh else "clause", f"GB/T 22239-2019 {item.clause_ref}"),
        ("级别" if zh else "level", item.level),
        ("类别" if zh else "class", f"{item.class_code} {item.class_zh} / {item.class_en}"),
        ("控制点" if zh else "control point", f"{item.control_point_zh} / {item.control_point_en}"),
        ("S/A/G", item.sa_tag),
        ("重要程度" if zh else "importance", f"{importance.zh} ({importance.value})"),
        ("测评方式" if zh else "assessed by", ", ".join(item.assessed_by)),
        ("概述" if zh else "summary", item.summary_zh if zh else item.summary_en),
    ]
    if item.note:
        rows.append(("备注" if zh else "note", item.note))
    none = "（无自动化检查）" if zh else "(none)"
    rows.append(("检查项" if zh else "checks", ", ".join(checks) or none))
    for c in cases:
        trigger = c.trigger_zh if zh else c.trigger_en
        mit = ("可缓解" if c.mitigable else "不可缓解") if zh else (
            "mitigable" if c.mitigable else "no mitigation")
        label = "高风险案例" if zh else "high-risk case"
        rows.append((label, f"{c.case_id} [{c.scope}; {mit}] {trigger}"))
    console.table(["", ""], rows)


def _checks_for(unit_id: str, level: int, policies: Sequence[str]) -> list[str]:
    from cityguard.policy.checkmap import load_checkmap

    mapped = load_checkmap(level, policies)
    return sorted(cid for cid, units in mapped.items() if unit_id in units)
