"""Load the MLPS 2.0 catalog (policies/mlps2/) and select the items a system must meet.

Item files are flat per level and part (DESIGN.md): `items/l3_general.yaml`, `items/l3_cloud.yaml` …
Class names come from `catalog.yaml`, control-point English names and default importance /
assessment methods from `control_points.yaml`; an item may override importance and methods.
Sites add or replace files with extra policy directories (flags or CITYGUARD_POLICIES).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.core.datacache import cached
from cityguard.core.errors import DataError, UsageError
from cityguard.core.resources import overlay_files
from cityguard.core.yamlio import line_of, load_schema, load_yaml, read_yaml_text, validate
from cityguard.model import EXTENSIONS, Catalog, HighRiskCase, Item, Selection

CATALOG_DIR = "mlps2"
_GRADE = re.compile(r"^S(\d+)A(\d+)$", re.IGNORECASE)
_PART_DIGIT = {"general": "1", "cloud": "2", "mobile": "3", "iot": "4", "ics": "5"}


def parse_grade(grade: str) -> tuple[int, int]:
    """'S3A2' → (3, 2)."""
    m = _GRADE.match(grade.strip())
    if not m:
        raise UsageError(f"grade {grade!r} is not of the form S<n>A<n> (e.g. S3A2)")
    s, a = int(m.group(1)), int(m.group(2))
    for name, value in (("S", s), ("A", a)):
        if not 1 <= value <= 5:  # the form is right; the number is not a GB/T 22240 level
            raise UsageError(f"grade {grade!r}: {name}{value} is out of range "
                             "(S and A are levels 1 to 5)")
    return s, a


def parse_extensions(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        for e in str(v).split(","):
            e = e.strip().lower()
            if not e:
                continue
            if e not in EXTENSIONS:
                raise UsageError(f"unknown extension {e!r}; known: {', '.join(EXTENSIONS)}")
            if e not in out:
                out.append(e)
    return tuple(out)


def make_selection(
    level: int | None = None,
    grade: str | None = None,
    extensions: Sequence[str] = (),
    include_optional: bool = False,
) -> Selection:
    """A level, or an S/A grade (level = max(S, A)), plus extensions. Default: level 3."""
    exts = parse_extensions(extensions)
    if grade:
        s, a = parse_grade(grade)
        lvl = max(s, a)
        if level is not None and level != lvl:
            raise UsageError(f"--level {level} contradicts --grade {grade} (level {lvl})")
    else:
        lvl = 3 if level is None else level
        s = a = lvl
    for name, value in (("level", lvl), ("S", s), ("A", a)):
        if not 1 <= value <= 4:
            raise UsageError(f"{name} {value} is out of range: the catalog covers levels 1 to 4")
    return Selection(lvl, s, a, exts, include_optional or "bigdata" in exts)


def select_items(catalog: Catalog, selection: Selection) -> list[Item]:
    """Annex A: S-tagged control points at level S, A-tagged at level A, G at the overall level.

    Extensions contribute their items of the overall level (all are G-tagged). The big-data
    annex is informative and only included when asked for.
    """
    parts = {"general", *selection.extensions}
    out = []
    for it in catalog.items:
        if it.part not in parts:
            continue
        if it.optional and not selection.include_optional:
            continue
        wanted = {"S": selection.s_level, "A": selection.a_level}.get(it.sa_tag, selection.level)
        if it.part != "general":
            wanted = selection.level
        if it.level == wanted:
            out.append(it)
    return out


# ---------------------------------------------------------------------------------------------
# loading


def _schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    return load_schema("catalog-items.schema.json"), load_schema("catalog-meta.schema.json")


def _policy_files(pattern: str, extra_dirs: Sequence[str | Path]) -> list[Path]:
    return overlay_files("policies", f"{CATALOG_DIR}/{pattern}", extra_dirs)


def _load_checked(path: Path, schema: dict[str, Any]) -> Any:
    text = read_yaml_text(path)  # the size bound before the file is read
    data = load_yaml(path, text)
    validate(data, schema, path, text)
    return data


def load_catalog(extra_dirs: Sequence[str | Path] = ()) -> Catalog:
    """The whole catalog: every item of every level and part, and the high-risk cases."""
    return _load_catalog(tuple(str(p) for p in extra_dirs))


@lru_cache(maxsize=8)
def _load_catalog(extra_dirs: tuple[str, ...]) -> Catalog:
    header_files = _policy_files("catalog.yaml", extra_dirs)
    cp_files = _policy_files("control_points.yaml", extra_dirs)
    if not header_files or not cp_files:
        raise DataError(CATALOG_DIR, "catalog.yaml or control_points.yaml is missing")
    item_files = _policy_files("items/*.yaml", extra_dirs)
    case_files = _policy_files("high_risk_cases.yaml", extra_dirs)[-1:]
    sources = [header_files[-1], cp_files[-1], *item_files, *case_files]
    return cached(
        "catalog",
        sources,
        lambda: _parse_catalog(header_files[-1], cp_files[-1], item_files, case_files),
    )


def _parse_catalog(
    header_file: Path, cp_file: Path, item_files: list[Path], case_files: list[Path]
) -> Catalog:
    items_schema, meta = _schemas()
    header = _load_checked(header_file, meta["$defs"]["catalog"])
    classes = {c["code"]: c for c in header["classes"]}
    cps: dict[tuple[str, str, str], dict[str, Any]] = {}
    for cp in _load_checked(cp_file, meta["$defs"]["control_points"])["control_points"]:
        cps[(cp["part"], cp["class"], cp["name_zh"])] = cp

    items: list[Item] = []
    seen: dict[str, Path] = {}
    for path in item_files:
        doc = _load_checked(path, items_schema)
        level, part = doc["level"], doc["part"]
        for idx, raw in enumerate(doc["items"]):
            item = _make_item(raw, level, part, classes, cps, path, idx)
            if item.unit_id in seen:
                raise _item_error(path, idx, "unit_id", f"duplicate unit id {item.unit_id} "
                                  f"(also in {seen[item.unit_id]})")
            seen[item.unit_id] = path
            items.append(item)

    cases = []
    for path in case_files:
        for idx, raw in enumerate(_load_checked(path, meta["$defs"]["high_risk_cases"])["cases"]):
            for uid in raw["unit_ids"]:
                if uid not in seen:
                    raise _item_error(path, idx, "unit_ids", f"unknown unit id {uid}", key="cases")
            cases.append(_make_case(raw))
    return Catalog(items=items, high_risk_cases=cases)


def _item_error(path: Path, idx: int, field: str, problem: str, key: str = "items") -> DataError:
    line = line_of(path, [key, idx, field])
    return DataError(path, problem, line=line, field=f"{key}.{idx}.{field}")


def _make_item(
    raw: dict[str, Any],
    level: int,
    part: str,
    classes: dict[str, dict[str, Any]],
    cps: dict[tuple[str, str, str], dict[str, Any]],
    path: Path,
    idx: int,
) -> Item:
    uid = raw["unit_id"]
    if part == "bigdata":
        if not uid.startswith(f"BDS-L{level}-"):
            raise _item_error(path, idx, "unit_id", f"{uid} is not a level {level} big-data id")
    elif uid[1] != str(level) or uid[-4] != _PART_DIGIT[part]:
        raise _item_error(path, idx, "unit_id", f"{uid} does not belong to level {level} {part}")
    if uid[3:6] != raw["class"] and part != "bigdata":
        raise _item_error(path, idx, "class", f"class {raw['class']} does not match {uid}")
    cls = classes.get(raw["class"])
    if cls is None:
        raise _item_error(path, idx, "class", f"class {raw['class']} is not in catalog.yaml")
    cp = cps.get((part, raw["class"], raw["control_point"]))
    if cp is None:
        raise _item_error(
            path, idx, "control_point",
            f"control point {raw['control_point']!r} ({part}/{raw['class']}) is not in "
            "control_points.yaml",
        )
    return Item(
        unit_id=uid,
        clause=raw["clause"],
        item_letter=raw["item"],
        level=level,
        part=part,
        class_code=raw["class"],
        class_zh=cls["name_zh"],
        class_en=cls["name_en"],
        control_point_zh=raw["control_point"],
        control_point_en=cp["name_en"],
        sa_tag=raw["sa"],
        summary_zh=raw["summary_zh"],
        summary_en=raw["summary_en"],
        assessed_by=tuple(raw.get("assessed_by") or cp["assessed_by"]),
        importance=raw.get("importance") or cp["importance"],
        optional=part == "bigdata",
        note=raw.get("note", ""),
    )


def _make_case(raw: dict[str, Any]) -> HighRiskCase:
    return HighRiskCase(
        case_id=raw["case_id"],
        part=raw["part"],
        class_code=raw["class"],
        control_point_zh=raw["control_point"],
        clause_ids=tuple(raw["clause_ids"]),
        unit_ids=tuple(raw["unit_ids"]),
        scope=raw["scope"],
        min_level=raw["min_level"],
        trigger_zh=raw["trigger_zh"],
        trigger_en=raw["trigger_en"],
        mitigable=raw["mitigable"],
        note=raw.get("note", ""),
    )


def cases_for(catalog: Catalog, unit_id: str) -> list[HighRiskCase]:
    return [c for c in catalog.high_risk_cases if unit_id in c.unit_ids]


def search_items(items: Iterable[Item], text: str) -> list[Item]:
    """Case-insensitive substring search over ids, clause, names and both summaries."""
    needle = text.strip().lower()
    out = []
    for it in items:
        hay = " ".join(
            (it.unit_id, it.clause_ref, it.class_zh, it.class_en, it.control_point_zh,
             it.control_point_en, it.summary_zh, it.summary_en)
        ).lower()
        if needle in hay:
            out.append(it)
    return out
