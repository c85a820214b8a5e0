"""Which MLPS items a check gives evidence for: policies/mlps2/checkmap/l{level}.yaml.

Format: `level: 3` and `map: {UNIT_ID: [check ids]}`. Kept once, per level, so one check
serves levels 2, 3 and 4 and a site remaps by putting its own l3.yaml in a policy directory
(it replaces the built-in file, as every policy overlay does). Checks carry no MLPS ids.
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
from cityguard.core.yamlio import line_of, load_yaml, validate
from cityguard.model import Catalog, Item

CHECKMAP_DIR = "mlps2/checkmap"
LEVELS = (1, 2, 3, 4)
_UNIT = re.compile(r"^(?:L([1-4])-[A-Z]{3}[1-5]-\d{2}|BDS-L([1-4])-[A-Z0-9-]+)$")

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
                "items": {"type": "string", "pattern": "^[a-z0-9_]+(\\.[a-z0-9_]+)+$"},
                "uniqueItems": True,
            },
        },
    },
    "additionalProperties": False,
}


def level_of_unit(unit_id: str) -> int | None:
    m = _UNIT.match(unit_id.strip().upper())
    if not m:
        return None
    return int(m.group(1) or m.group(2))


def checkmap_file(level: int, extra_dirs: Sequence[str | Path] = ()) -> Path | None:
    """The effective l{level}.yaml: a site's file replaces the built-in one."""
    files = overlay_files("policies", f"{CHECKMAP_DIR}/l{level}.yaml", extra_dirs)
    return files[-1] if files else None


@lru_cache(maxsize=16)
def _parse(path: str, _mtime_ns: int) -> dict[str, tuple[str, ...]]:
    # parsing + schema validation cost ~0.1 s per run; the validated map is cached on disk
    return cached("checkmap", [Path(path)], lambda: _parse_file(Path(path)))


def _parse_file(p: Path) -> dict[str, tuple[str, ...]]:
    text = p.read_text(encoding="utf-8-sig")
    data = load_yaml(p, text)
    validate(data, _SCHEMA, p, text)
    expected = int(p.stem[1:]) if p.stem[1:].isdigit() else data["level"]
    if data["level"] != expected:
        raise DataError(p, f"level {data['level']} in a file named {p.name}", field="level")
    out: dict[str, tuple[str, ...]] = {}
    for unit, checks in (data.get("map") or {}).items():
        if level_of_unit(unit) != data["level"]:
            raise DataError(p, f"{unit} is not a level {data['level']} unit id",
                            line=line_of(p, ["map", unit], text), field=f"map.{unit}")
        out[unit] = tuple(checks or ())
    return out


def load_unitmap(level: int, extra_dirs: Sequence[str | Path] = (),
                 catalog: Catalog | None = None) -> dict[str, tuple[str, ...]]:
    """unit id → check ids for one level ({} when the level has no checkmap)."""
    path = checkmap_file(level, extra_dirs)
    if path is None:
        return {}
    mapping = _parse(str(path), path.stat().st_mtime_ns)
    if catalog is not None:
        known = catalog.by_id()
        for unit in mapping:
            if unit not in known:
                raise DataError(path, f"unit id {unit} is not in the catalog",
                                line=line_of(path, ["map", unit]), field=f"map.{unit}")
    return dict(mapping)


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
