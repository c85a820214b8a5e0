"""The Assessment: one immutable record of a run, rendered, stored and gated on.

Every renderer reads only what is here (DESIGN.md): if a report needs a number, the
number belongs in this record, computed by scoring/.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from cityguard.model.findings import Finding
from cityguard.model.results import CheckResult
from cityguard.model.text import msgs_of, with_msgs

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Asset:
    """An assessed object (测评对象): a host, a directory of configuration, a web app …"""

    id: str
    target: str = "local"  # local | dir:PATH | ssh://user@host:port
    type: str = "host"  # host | network_device | database | middleware | application | cloud …
    name: str = ""
    internet_facing: bool = False
    value: int | None = None  # 1–5 asset value for the risk register (GB/T 20984)
    cia: dict[str, int] | None = None  # {"c": 1-5, "i": 1-5, "a": 1-5} when value is derived
    tags: tuple[str, ...] = ()
    declared_in: str = ""  # "FILE:LINE" of the manifest entry declaring it ("" on the CLI)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "type": self.type,
            "name": self.name,
            "internet_facing": self.internet_facing,
            "value": self.value,
            "cia": self.cia,
            "tags": list(self.tags),
            "declared_in": self.declared_in,
        }


@dataclass(frozen=True)
class SystemInfo:
    name: str = "local host"
    level: int = 3
    grade: str = "S3A3"
    extensions: tuple[str, ...] = ()
    stage: str = "operate"  # plan | build | deploy | operate
    owner: str = ""
    department: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "level": self.level,
            "grade": self.grade,
            "extensions": list(self.extensions),
            "stage": self.stage,
            "owner": self.owner,
            "department": self.department,
        }


@dataclass
class Question:
    """What a person still has to confirm for an item: a manual check's question."""

    check_id: str
    question_zh: str
    question_en: str


@dataclass
class ObjectVerdict:
    """An item's verdict on one assessed object, before and after correction (修正).

    The reasoning behind a machine verdict (docs/scoring.md §1): `decided_by` are the decisive
    checks whose pass or fail decided it, `advisory` the checks that are advice only for this
    item and `advice` those of them that fail (整改建议, never lowering the verdict),
    `unverified` decisive checks that could not give evidence (errors), and `open_questions`
    what a person must still confirm; `needs_confirmation` marks a verdict the evidence
    decided while such a question is open.
    """

    asset: str
    verdict: str  # Verdict value after correction
    verdict_before: str  # Verdict value before correction (修正前)
    source: str  # checks | findings | answer | evidence | none
    reason: str = ""
    check_ids: list[str] = field(default_factory=list)
    finding_ids: list[str] = field(default_factory=list)  # fingerprints
    answer: dict[str, Any] | None = None
    automated_verdict: str | None = None  # what the machine said when a person overrode it
    correction: str = ""  # why a compensating measure raised the verdict
    reason_zh: str = ""  # the reason in Chinese (reason is English)
    decided_by: list[str] = field(default_factory=list)  # decisive checks that passed or failed
    advisory: list[str] = field(default_factory=list)  # advisory checks of the item (any status)
    advice: list[str] = field(default_factory=list)  # advisory checks that fail (整改建议)
    unverified: list[str] = field(default_factory=list)  # decisive checks that could not run
    open_questions: list[Question] = field(default_factory=list)
    needs_confirmation: bool = False  # decided by evidence, a person's question still open


@dataclass
class ItemResult:
    unit_id: str
    clause: str
    class_code: str
    control_point_zh: str
    control_point_en: str
    importance: str
    verdict: str  # aggregate over objects
    score: float | None  # mean item score over objects (None when nothing scored)
    objects: list[ObjectVerdict] = field(default_factory=list)
    summary_zh: str = ""
    summary_en: str = ""
    weight: float = 1.0  # importance weight used in control-point and class means (测评项权重)
    gaps: list[str] = field(default_factory=list)  # objects not assessed (each counted as 0)
    corrected: bool = False  # a compensating measure (修正) raised an object's verdict
    needs_confirmation: bool = False  # an object's verdict waits for a person's confirmation


@dataclass
class GroupScore:
    """A control point's or class's score (0–10 scale for control points, 0–100 for classes)."""

    key: str  # class code "CES", or control point "CES1/身份鉴别" (class + part digit)
    name_zh: str
    name_en: str
    score: float | None
    items: int
    counts: dict[str, int] = field(default_factory=dict)  # verdict → number of items
    formula: str = ""  # the arithmetic behind `score`


@dataclass
class HighRisk:
    case_id: str
    unit_ids: list[str]
    asset: str
    title_zh: str
    title_en: str
    evidence: list[str]
    mitigated: bool = False
    mitigation: str = ""
    status: str = "open"  # open | mitigated | waived
    scope: str = ""  # the guideline's applicable scope, e.g. "L3+"
    mitigable: bool = True  # whether the guideline allows a mitigation at all
    source: str = "rule"  # rule (machine rule) | answer (declared by a person)

    def to_dict(self) -> dict[str, Any]:
        """The fields, and the structured form of scoring's sentences (`evidence_msgs`,
        `mitigation_msg`) so a report says them in its language."""
        d = _shallow(self)
        msgs = msgs_of(self.evidence)
        if msgs is not None:
            d["evidence_msgs"] = msgs
        return with_msgs(d, self, ("mitigation",))


@dataclass
class Risk:
    id: str
    asset: str
    threat_id: str
    threat_zh: str
    threat_en: str
    vulnerability: str  # check id or finding fingerprint
    vulnerability_title: str
    asset_value: int
    threat_frequency: int
    vulnerability_severity: int
    likelihood: int
    loss: int
    risk_value: int
    level: int  # 1–5
    level_zh: str
    priority: int
    unit_ids: list[str] = field(default_factory=list)
    remediation_zh: str = ""
    remediation_en: str = ""
    level_en: str = ""
    vulnerability_kind: str = ""  # check | finding
    method: str = ""  # matrix | multiplication


@dataclass
class Summary:
    compliance_rate: float  # 0–100
    conclusion: str  # compliant | basically_compliant | non_compliant
    conclusion_zh: str
    score: float  # 0–100
    score_formula: str  # the formula, shown next to the number
    major_hidden_risk: bool = False
    template: str = "2025"
    counts: dict[str, int] = field(default_factory=dict)  # verdict → items
    check_counts: dict[str, int] = field(default_factory=dict)  # status → results
    finding_counts: dict[str, int] = field(default_factory=dict)  # severity → open findings
    not_checked: list[str] = field(default_factory=list)  # plain sentences: what and why
    grade_2021: str | None = None  # 优 / 良 / 中 / 差 when the 2021 template is chosen
    score_formula_en: str = ""
    rate_formula: str = ""  # the compliance-rate arithmetic (zh); equals score_formula in 2025
    rate_formula_en: str = ""
    conclusion_en: str = ""
    conclusion_reason: str = ""  # why this conclusion (zh)
    conclusion_reason_en: str = ""
    major_hidden_risk_reason: str = ""
    major_hidden_risk_reason_en: str = ""
    high_risk_counts: dict[str, int] = field(default_factory=dict)  # status → issues
    risk_counts: dict[str, int] = field(default_factory=dict)  # register level "1"–"5" → risks
    applicable_items: int = 0  # the rate's denominator
    warnings: list[str] = field(default_factory=list)  # e.g. answers for items not selected

    def to_dict(self) -> dict[str, Any]:
        """The fields; sentences that are Texts also as `not_checked_msgs` / `warnings_msgs`
        (one entry per sentence, null for a plain one)."""
        d = _shallow(self)
        for name in ("not_checked", "warnings"):
            msgs = msgs_of(getattr(self, name))
            if msgs is not None:
                d[f"{name}_msgs"] = msgs
        return d


def _shallow(obj: Any) -> dict[str, Any]:
    """A flat dataclass's fields as a dict (lists and dicts copied; the values are JSON)."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        out[f.name] = list(v) if isinstance(v, (list, tuple)) else dict(v) if isinstance(
            v, dict) else v
    return out


@dataclass
class Assessment:
    run_id: str
    created: str  # ISO 8601 with timezone
    tool_version: str
    system: SystemInfo
    assets: list[Asset]
    selection: dict[str, Any]  # level, grade, extensions, items selected
    results: list[CheckResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)
    control_points: list[GroupScore] = field(default_factory=list)
    classes: list[GroupScore] = field(default_factory=list)
    summary: Summary | None = None
    high_risks: list[HighRisk] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    waivers: list[dict[str, Any]] = field(default_factory=list)
    scans: list[dict[str, Any]] = field(default_factory=list)  # files imported in this run
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier runs' summaries (trend)
