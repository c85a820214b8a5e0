"""A loaded check: validated, with its rules compiled into a small tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from cityguard.engine.patterns import compile_pattern, problem
from cityguard.model import Severity

OPERATOR_NAMES = (
    "equals", "not_equals", "regex", "not_regex", "lt", "le", "gt", "ge", "in", "not_in",
    "contains", "not_contains", "subset_of", "exists", "count", "version_ge", "version_lt",
    "age_days_le", "mode_max",
)


@dataclass(frozen=True)
class Expect:
    op: str
    arg: Any
    quantifier: str = "all"  # all | any | none: how several values combine
    missing: str = "fail"  # fail | pass | not_applicable: no value at all
    case_sensitive: bool = True

    @property
    def regex(self) -> Any:
        """The compiled pattern of regex / not_regex (compiled on first use: a loaded library
        comes from the cache, and most of its checks never run on a given host); match it
        through engine.patterns.Budget, which bounds its time."""
        return compile_pattern(str(self.arg), not self.case_sensitive)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Expect:
        ops = [k for k in d if k in OPERATOR_NAMES]
        if len(ops) != 1:
            raise ValueError(
                "expect needs exactly one operator" + (f", got {', '.join(ops)}" if ops else "")
            )
        op = ops[0]
        case = bool(d.get("case_sensitive", True))
        if op in ("regex", "not_regex") and (bad := problem(str(d[op]))):
            raise ValueError(bad)  # a bad pattern is a load-time error
        return cls(op, d[op], d.get("quantifier", "all"), d.get("missing", "fail"), case)


@dataclass(frozen=True)
class Rule:
    probe: str
    params: dict[str, Any]
    expect: Expect
    location: str = ""  # "checks.3.rules.0": where it sits in its file, for messages


@dataclass(frozen=True)
class Group:
    op: str  # all | any | none
    children: tuple[Node, ...]


Node = Union[Rule, Group]  # noqa: UP007 - a runtime alias, also read on 3.10


@dataclass(frozen=True)
class Applies:
    platform: tuple[str, ...] = ()
    os_family: tuple[str, ...] = ()
    min_level: int | None = None
    service: str | None = None
    present_when: Node | None = None


@dataclass(frozen=True)
class Check:
    id: str
    title_zh: str
    title_en: str
    severity: Severity
    rationale_zh: str
    rationale_en: str
    remediation_zh: str
    remediation_en: str
    source: str  # the file it was loaded from
    index: int  # position under `checks:` in that file
    aliases: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    applies: Applies = field(default_factory=Applies)
    mode: str = "automated"  # automated | manual
    question_zh: str = ""
    question_en: str = ""
    root: Group | None = None  # `condition` over `rules`; None for manual checks
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def probes(self) -> set[str]:
        """Every probe this check uses (rules and applies.present_when)."""
        out: set[str] = set()
        stack: list[Node] = [n for n in (self.root, self.applies.present_when) if n is not None]
        while stack:
            n = stack.pop()
            if isinstance(n, Rule):
                out.add(n.probe)
            else:
                stack.extend(n.children)
        return out
