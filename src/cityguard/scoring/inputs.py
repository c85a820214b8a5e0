"""What scoring takes in and gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cityguard.model import (
    Asset,
    CheckResult,
    Finding,
    GroupScore,
    HighRisk,
    HighRiskCase,
    Item,
    ItemResult,
    Risk,
    Summary,
)
from cityguard.policy.checkmap import Mapping


@dataclass
class ScoringInput:
    items: list[Item]  # the selected catalog items
    high_risk_cases: list[HighRiskCase] | list[dict[str, Any]] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    # unit id → answers (each: verdict, and optionally asset, note, evidence, assessor, date,
    # high_risks); see cityguard.system.answers
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # documents: type, path, date, approver, ref (unit id or list), optional asset
    evidence_records: list[dict[str, Any]] = field(default_factory=list)
    # declared mitigations: case (lowers a high-risk case) and/or unit_ids + raise_to (修正),
    # optional asset, id, measure_zh / measure_en / description
    mitigations: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] | None = None  # None = policies/scoring/default.yaml (built-in)
    level: int = 3
    # data normally read from the policy search path; give them to bypass it (tests, sites)
    high_risk_rules: list[dict[str, Any]] | None = None
    threats: list[dict[str, Any]] | None = None
    policy_dirs: tuple[str | Path, ...] = ()
    today: date | None = None  # evidence ages are computed against this day (default: today)
    # unit id → the checks mapped to it with their role (decisive / advisory); None: read the
    # checkmaps of the items' levels from the policy search path (policy_dirs)
    mappings: dict[str, tuple[Mapping, ...]] | None = None


@dataclass
class ScoringOutcome:
    items: list[ItemResult]
    control_points: list[GroupScore]
    classes: list[GroupScore]
    summary: Summary
    high_risks: list[HighRisk]
    risks: list[Risk]
