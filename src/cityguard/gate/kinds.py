"""The kinds of stage rule: one registry, each kind a function that judges one rule.

A kind is registered where it is written (`@kind("evidence")` in evidence.py, the
assessment-based ones in rules.py); the stage-rule data names kinds, and an unknown one is
an UnknownName error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from cityguard.core.registry import Registry
from cityguard.gate.stages import StageRule
from cityguard.model import Assessment
from cityguard.system.manifest import Manifest


@dataclass
class Check:
    """What a rule found: state pass | fail | warn, and why in both languages."""

    state: str
    zh: str
    en: str
    details: list[str] = field(default_factory=list)
    line: int | None = None  # manifest line of the record concerned
    evidence: str = ""  # path of the record that satisfied (or failed) the rule


@dataclass
class GateContext:
    manifest: Manifest
    today: date
    assessment: Assessment | None = None
    baseline: Assessment | None = None
    fail_on: str = "high"
    min_conclusion: str = "basically_compliant"


#: judge(rule, context) → what the rule found
Judge = Callable[[StageRule, GateContext], Check]


@dataclass(frozen=True)
class GateKind:
    name: str
    judge: Judge
    needs_assessment: bool  # the rule reads an assessment (run one when none is given)


KINDS: Registry[GateKind] = Registry("stage rule kind")


def kind(name: str, *, needs_assessment: bool = False) -> Callable[[Judge], Judge]:
    """Decorator: register a judge under a kind name."""
    def register(fn: Judge) -> Judge:
        KINDS.register(GateKind(name, fn, needs_assessment))
        return fn

    return register
