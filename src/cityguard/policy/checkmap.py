"""Which MLPS items a check gives evidence for, and how: policies/mlps2/checkmap/.

Format, per level: `level: 3` and `map: {UNIT_ID: [entries]}`. An entry is a check id (short
form: decisive, no reason given) or `{check, role, why}`:

- `role: decisive`: the check tests what the requirement asks; its result decides the verdict;
- `role: advisory`: a hardening recommendation beyond the requirement (a benchmark setting); it
  is listed under 整改建议 and never lowers the verdict by itself;
- `why`: one short reason the check bears on this item (reviewed against the item's text).

Files: `l{level}.yaml` for hosts and services, and one per domain in a subfolder
(`netdev/l3.yaml` …); all of a level are merged. Each file is overlaid by its relative path, so
a site remaps by putting its own copy in a policy directory. Checks carry no MLPS ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.core.datacache import cached
from cityguard.core.errors import DataError
from cityguard.core.resources import overlay_files
from cityguard.core.yamlio import line_of, load_yaml, read_yaml_text, validate
from cityguard.model import Catalog, Item

CHECKMAP_DIR = "mlps2/checkmap"
LEVELS = (1, 2, 3, 4)
ROLES = ("decisive", "advisory")
_UNIT = re.compile(r"^(?:L([1-4])-[A-Z]{3}[1-5]-\d{2}|BDS-L([1-4])-[A-Z0-9-]+)$")
_CHECK_ID = {"type": "string", "pattern": "^[a-z0-9_]+(\\.[a-z0-9_]+)+$"}

_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["level", "map"],
    "properties": {
        "level": {"type": "integer", "minimum": 1, "maximum": 4},
        "map": {
            "type": "object",
            "propertyNames": {"pattern": _UNIT.pattern},
            "additionalProperties": {
                "type": "array",
                "items": {"oneOf": [
                    _CHECK_ID,
                    {"type": "object", "required": ["check", "role", "why"],
                     "additionalProperties": False,
                     "properties": {"check": _CHECK_ID, "role": {"enum": list(ROLES)},
                                    "why": {"type": "string", "minLength": 3}}},
                ]},
            },
        },
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Mapping:
    """One check mapped to one item: its role there and why it bears on the item."""

    check: str
    role: str = "decisive"
    why: str = ""

    @property
    def decisive(self) -> bool:
        return self.role == "decisive"


def level_of_unit(unit_id: str) -> int | None:
    m = _UNIT.match(unit_id.strip().upper())
    if not m:
        return None
    return int(m.group(1) or m.group(2))


def checkmap_files(level: int, extra_dirs: Sequence[str | Path] = ()) -> list[Path]:
    """The effective files of a level: l{level}.yaml and every domain's */l{level}.yaml."""
    return [*overlay_files("policies", f"{CHECKMAP_DIR}/l{level}.yaml", extra_dirs),
            *overlay_files("policies", f"{CHECKMAP_DIR}/*/l{level}.yaml", extra_dirs)]


def checkmap_file(level: int, extra_dirs: Sequence[str | Path] = ()) -> Path | None:
    """The main (hosts and services) file of a level; a site's file replaces the built-in one."""
    files = overlay_files("policies", f"{CHECKMAP_DIR}/l{level}.yaml", extra_dirs)
    return files[-1] if files else None


@lru_cache(maxsize=32)
def _parse(path: str, _mtime_ns: int) -> dict[str, tuple[Mapping, ...]]:
    # parsing + schema validation cost ~0.1 s per run; the validated map is cached on disk
    return cached("checkmap", [Path(path)], lambda: _parse_file(Path(path)))


def _entry(raw: str | dict[str, str]) -> Mapping:
    if isinstance(raw, str):
        return Mapping(raw)
    return Mapping(raw["check"], raw["role"], raw["why"])


def _parse_file(p: Path) -> dict[str, tuple[Mapping, ...]]:
    text = read_yaml_text(p)  # the size bound before the file is read
    data = load_yaml(p, text)
    validate(data, _SCHEMA, p, text)
    expected = int(p.stem[1:]) if p.stem[1:].isdigit() else data["level"]
    if data["level"] != expected:
        raise DataError(p, f"level {data['level']} in a file named {p.name}", field="level")
    out: dict[str, tuple[Mapping, ...]] = {}
    for unit, entries in (data.get("map") or {}).items():
        if level_of_unit(unit) != data["level"]:
            raise DataError(p, f"{unit} is not a level {data['level']} unit id",
                            line=line_of(p, ["map", unit], text), field=f"map.{unit}")
        mappings = tuple(_entry(e) for e in entries or ())
        seen: set[str] = set()
        for n, m in enumerate(mappings):
            if m.check in seen:
                raise DataError(p, f"{m.check} is mapped twice to {unit}",
                                line=line_of(p, ["map", unit, n], text), field=f"map.{unit}.{n}")
            seen.add(m.check)
        out[unit] = mappings
    return out


def load_file_mappings(path: Path) -> dict[str, tuple[Mapping, ...]]:
    """unit id → mappings of one checkmap file (validated, cached)."""
    return _parse(str(path), path.stat().st_mtime_ns)


def load_mappings(level: int, extra_dirs: Sequence[str | Path] = (),
                  catalog: Catalog | None = None) -> dict[str, tuple[Mapping, ...]]:
    """unit id → every check mapped to it at this level, with its role and reason."""
    merged: dict[str, list[Mapping]] = {}
    for path in checkmap_files(level, extra_dirs):
        mapping = load_file_mappings(path)
        known = catalog.by_id() if catalog is not None else None
        for unit, entries in mapping.items():
            if known is not None and unit not in known:
                raise DataError(path, f"unit id {unit} is not in the catalog",
                                line=line_of(path, ["map", unit]), field=f"map.{unit}")
            have = merged.setdefault(unit, [])
            have.extend(m for m in entries if m.check not in {h.check for h in have})
    return {unit: tuple(entries) for unit, entries in merged.items()}


def load_unitmap(level: int, extra_dirs: Sequence[str | Path] = (),
                 catalog: Catalog | None = None) -> dict[str, tuple[str, ...]]:
    """unit id → check ids for one level ({} when the level has no checkmap)."""
    return {unit: tuple(m.check for m in entries)
            for unit, entries in load_mappings(level, extra_dirs, catalog).items()}


def load_checkmap(level: int, extra_dirs: Sequence[str | Path] = (),
                  catalog: Catalog | None = None) -> dict[str, tuple[str, ...]]:
    """check id → the unit ids it gives evidence for at this level."""
    out: dict[str, list[str]] = {}
    for unit, checks in load_unitmap(level, extra_dirs, catalog).items():
        for cid in checks:
            out.setdefault(cid, []).append(unit)
    return {cid: tuple(units) for cid, units in out.items()}


def unit_ids_for(check_id: str, level: int,
                 extra_dirs: Sequence[str | Path] = ()) -> tuple[str, ...]:
    return load_checkmap(level, extra_dirs).get(check_id, ())


def checks_for_unit(unit_id: str, extra_dirs: Sequence[str | Path] = ()) -> list[str]:
    """Check ids mapped to one unit id (the level is read from the id)."""
    level = level_of_unit(unit_id)
    if level is None:
        return []
    return sorted(load_unitmap(level, extra_dirs).get(unit_id.strip().upper(), ()))


def mapped_check_ids(extra_dirs: Sequence[str | Path] = ()) -> dict[str, set[int]]:
    """Every mapped check id → the levels it is mapped at."""
    out: dict[str, set[int]] = {}
    for level in LEVELS:
        for cid in load_checkmap(level, extra_dirs):
            out.setdefault(cid, set()).add(level)
    return out


@dataclass(frozen=True)
class ClassCoverage:
    class_code: str
    class_zh: str
    class_en: str
    items: int  # items of this class selected
    automated: int  # of which at least one check is mapped

    @property
    def percent(self) -> float:
        return round(100 * self.automated / self.items, 1) if self.items else 0.0


def coverage(catalog: Catalog, level: int, extra_dirs: Sequence[str | Path] = (),
             items: Iterable[Item] | None = None) -> list[ClassCoverage]:
    """Per class: how many items (of `items`, default: every item of `level`) have checks."""
    chosen = list(items) if items is not None else [i for i in catalog.items if i.level == level]
    covered: set[str] = set()
    for lvl in {i.level for i in chosen} or {level}:
        covered.update(u for u, checks in load_unitmap(lvl, extra_dirs).items() if checks)
    per: dict[str, list[Item]] = {}
    for it in chosen:
        per.setdefault(it.class_code, []).append(it)
    return [
        ClassCoverage(code, its[0].class_zh, its[0].class_en, len(its),
                      sum(1 for i in its if i.unit_id in covered))
        for code, its in per.items()
    ]
