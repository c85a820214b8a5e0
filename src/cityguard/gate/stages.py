"""Stage rules of the three-synchronous gate (三同步), loaded from policies/stages/.

A data loader: the rules are data (GB/T 22239 construction and operation items, the facts
sheet §6), checked against schemas/stages.schema.json; sites add or replace files with
`--policies DIR` / CITYGUARD_POLICIES like every other policy file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityguard.core.errors import DataError
from cityguard.core.resources import overlay_files
from cityguard.core.yamlio import line_of, load_schema, load_yaml, read_yaml_text, validate

_CORE = ("id", "stages", "min_level", "kind", "clause", "units", "sources", "title_zh",
         "title_en", "description_zh", "description_en", "todo_zh", "todo_en")


@dataclass(frozen=True)
class StageRule:
    id: str
    stages: tuple[str, ...]
    min_level: int
    kind: str  # evidence | filing_validity | log_retention | high_risks | findings | …
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    todo_zh: str
    todo_en: str
    clause: str = ""
    units: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)  # the kind's own settings
    file: str = ""
    origin: str = ""  # the `stage:` of the file that defines it (plan … operate, any)

    def applies(self, stage: str, level: int) -> bool:
        return stage in self.stages and level >= self.min_level

    def units_for(self, level: int) -> list[str]:
        """The unit ids of this level (the rule cites every level's)."""
        return [u for u in self.units if u.startswith(f"L{level}-")]

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


def load_stage_rules(extra_dirs: Iterable[str | Path] = ()) -> list[StageRule]:
    """Every rule of policies/stages/*.yaml (built-in, then site directories), ids unique."""
    schema = load_schema("stages.schema.json")
    rules: list[StageRule] = []
    seen: dict[str, str] = {}
    for path in overlay_files("policies", "stages/*.yaml", extra_dirs):
        text = read_yaml_text(path)  # the size bound before the file is read
        data = load_yaml(path, text)
        validate(data, schema, path, text)
        for n, raw in enumerate(data["rules"]):
            rid = raw["id"]
            if rid in seen:
                raise DataError(path, f"rule id {rid!r} also defined in {seen[rid]}",
                                line=line_of(path, ["rules", n, "id"], text), field="id")
            seen[rid] = str(path)
            rules.append(StageRule(
                id=rid, stages=tuple(raw["stages"]), min_level=raw["min_level"],
                kind=raw["kind"], title_zh=raw["title_zh"], title_en=raw["title_en"],
                description_zh=raw["description_zh"], description_en=raw["description_en"],
                todo_zh=raw["todo_zh"], todo_en=raw["todo_en"], clause=raw.get("clause", ""),
                units=tuple(raw.get("units", ())), sources=tuple(raw.get("sources", ())),
                params={k: v for k, v in raw.items() if k not in _CORE}, file=str(path),
                origin=data["stage"],
            ))
    # lifecycle order (plan, build, deploy, operate, then rules of any stage), file order within
    order = {s: n for n, s in enumerate(("plan", "build", "deploy", "operate", "any"))}
    return sorted(rules, key=lambda r: order[r.origin])


def rules_for(rules: Iterable[StageRule], stage: str, level: int) -> list[StageRule]:
    return [r for r in rules if r.applies(stage, level)]
