"""Findings → MLPS test units, by the rules in policies/mlps2/finding_rules.yaml.

The rules are data (how to read them is documented at the top of the YAML file); this module
only evaluates them. Unit ids differ per level, so every call names the system's level.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.core import resources
from cityguard.core.errors import DataError
from cityguard.core.yamlio import load_yaml
from cityguard.model import Finding, Severity

RULES_FILE = "mlps2/finding_rules.yaml"
LEVELS = (1, 2, 3, 4)
_UNIT_ID = re.compile(r"^L([1-4])-[A-Z]{3}\d-\d{2}$")
_CONDITIONS = {"tags_any", "tags_none", "has_cve", "ports", "cwes", "tools", "text",
               "references", "min_severity"}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    id: str
    title_zh: str
    title_en: str
    control_points: tuple[str, ...]
    units: dict[int, tuple[str, ...]]
    fallback: bool = False
    tags_any: frozenset[str] = frozenset()
    tags_none: frozenset[str] = frozenset()
    has_cve: bool | None = None
    ports: frozenset[int] = frozenset()
    cwes: frozenset[str] = frozenset()
    tools: frozenset[str] = frozenset()
    text: re.Pattern[str] | None = None
    references: re.Pattern[str] | None = None
    min_severity: Severity | None = None

    def matches(self, f: Finding) -> bool:
        if self.tags_any and not self.tags_any.intersection(f.tags):
            return False
        if self.tags_none and self.tags_none.intersection(f.tags):
            return False
        if self.has_cve is not None and bool(f.cves) != self.has_cve:
            return False
        if self.ports and f.port not in self.ports:
            return False
        if self.cwes and not self.cwes.intersection(f.cwes):
            return False
        if self.tools and f.tool not in self.tools:
            return False
        if self.text and not self.text.search(f"{f.rule_id} {f.title}"):
            return False
        if self.references and not any(self.references.search(r) for r in f.references):
            return False
        return not (self.min_severity and _sev(f).rank < self.min_severity.rank)


def _sev(f: Finding) -> Severity:
    return f.severity if isinstance(f.severity, Severity) else Severity.parse(str(f.severity))


def rules_path(extra_dirs: Iterable[str | Path] = ()) -> Path:
    files = resources.overlay_files("policies", RULES_FILE, extra_dirs)
    if not files:
        raise DataError(RULES_FILE, "the finding → MLPS rules file is missing")
    return files[-1]


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[Rule, ...]:
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise DataError(path, "expected a mapping with a `rules:` list")
    rules, seen = [], set()
    for idx, raw in enumerate(data["rules"]):
        rule = _rule(path, idx, raw)
        if rule.id in seen:
            raise DataError(path, f"rule id {rule.id!r} is used twice", field=f"rules[{idx}].id")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _rule(path: str, idx: int, raw: Any) -> Rule:
    def bad(field: str, problem: str) -> DataError:
        return DataError(path, problem, field=f"rules[{idx}].{field}")

    if not isinstance(raw, dict) or not raw.get("id"):
        raise bad("id", "every rule needs an id")
    when = raw.get("when") or {}
    if not isinstance(when, dict) or not when:
        raise bad("when", "a rule needs at least one condition")
    unknown = set(when) - _CONDITIONS
    if unknown:
        raise bad("when", f"unknown condition(s) {sorted(unknown)}; known: {sorted(_CONDITIONS)}")
    units_raw = raw.get("units")
    if not isinstance(units_raw, dict) or set(units_raw) != set(LEVELS):
        raise bad("units", "units must list every level 1–4 (an empty list where none applies)")
    units: dict[int, tuple[str, ...]] = {}
    for level, ids in units_raw.items():
        ids = tuple(ids or ())
        for uid in ids:
            m = _UNIT_ID.match(str(uid))
            if not m or int(m.group(1)) != level:
                raise bad(f"units.{level}", f"{uid!r} is not a level-{level} unit id")
        units[int(level)] = ids
    try:
        min_sev = Severity.parse(when["min_severity"]) if "min_severity" in when else None
        return Rule(
            id=str(raw["id"]),
            title_zh=str(raw.get("title_zh", "")),
            title_en=str(raw.get("title_en", "")),
            control_points=tuple(raw.get("control_points") or ()),
            units=units,
            fallback=bool(raw.get("fallback", False)),
            tags_any=frozenset(when.get("tags_any") or ()),
            tags_none=frozenset(when.get("tags_none") or ()),
            has_cve=when.get("has_cve"),
            ports=frozenset(int(p) for p in when.get("ports") or ()),
            cwes=frozenset(str(c).upper() for c in when.get("cwes") or ()),
            tools=frozenset(when.get("tools") or ()),
            text=re.compile(when["text"], re.I) if when.get("text") else None,
            references=re.compile(when["references"], re.I) if when.get("references") else None,
            min_severity=min_sev,
        )
    except (ValueError, TypeError, re.error) as exc:
        raise bad("when", f"invalid condition ({exc})") from None


def load_rules(extra_dirs: Iterable[str | Path] = ()) -> tuple[Rule, ...]:
    """The rules in force (a site's overlay replaces the built-in file)."""
    return _load(str(rules_path(extra_dirs)))


def matching_rules(
    f: Finding, rules: Iterable[Rule] | None = None, level: int | None = None
) -> list[Rule]:
    """The rules that apply to a finding: every ordinary rule that matches, or else the first
    fallback rule that matches (fallbacks are ordered from specific to general). A finding
    that names units of `level` itself needs no fallback. With a level, a rule that has no
    item at that level (level 2 has no data-confidentiality item) does not claim the finding
    there, so the fallback still places it."""
    rules = load_rules() if rules is None else tuple(rules)
    hits = [r for r in rules if not r.fallback and r.matches(f)
            and (level is None or r.units.get(level))]  # fmt: skip
    if not hits and not direct_units(f, level):
        hits = [r for r in rules if r.fallback and r.matches(f)][:1]
    return hits


def direct_units(f: Finding, level: int | None = None) -> list[str]:
    """Unit ids the finding names itself (an XCCDF benchmark written for MLPS)."""
    out = []
    for text in (*f.references, *f.tags):
        m = _UNIT_ID.match(text.strip())
        if m and (level is None or int(m.group(1)) == level):
            out.append(text.strip())
    return out


def unit_ids_for(f: Finding, level: int, rules: Iterable[Rule] | None = None) -> tuple[str, ...]:
    """Unit ids of one level for a finding, in rule order, without duplicates."""
    if level not in LEVELS:
        raise ValueError(f"level must be 1–4, not {level!r}")
    direct = direct_units(f, level)
    if direct:  # the benchmark's author named the units: they are the mapping
        return tuple(dict.fromkeys(direct))
    out: dict[str, None] = {}
    for rule in matching_rules(f, rules, level):
        out.update(dict.fromkeys(rule.units.get(level, ())))
    return tuple(out)


def map_finding(f: Finding, level: int = 3, rules: Iterable[Rule] | None = None) -> Finding:
    """A copy of the finding with `unit_ids` set for the given level."""
    return dataclasses.replace(f, unit_ids=unit_ids_for(f, level, rules))


def map_findings(findings: Iterable[Finding], level: int = 3) -> list[Finding]:
    rules = load_rules()
    return [map_finding(f, level, rules) for f in findings]


def iter_mapped(findings: Iterable[Finding], level: int = 3) -> Iterator[Finding]:
    """Like map_findings, lazily (for streams of findings), setting unit_ids in place."""
    rules = load_rules()
    for f in findings:
        f.unit_ids = unit_ids_for(f, level, rules)
        yield f


def units_by_level(f: Finding, rules: Iterable[Rule] | None = None) -> dict[int, tuple[str, ...]]:
    """Every level's unit ids for a finding (for display when the level is not known)."""
    rules = load_rules() if rules is None else tuple(rules)
    return {level: unit_ids_for(f, level, rules) for level in LEVELS}
