"""The three-synchronous gate (同步规划、同步建设、同步使用): stage rules + thresholds → verdict.

    evaluate_gate(manifest, stage, assessment, *, fail_on, min_conclusion, baseline, today)
        -> GateResult                      pure: judges what it is given
    run_gate(GateRequest) -> GateRun       loads the manifest, runs (or loads) the assessment
                                           and the baseline, then evaluate_gate

Orchestration: it reads data (system, stages) and calls capabilities (assessment, store); it
never prints and never exits. A blocked gate is a result (GateResult.passed is False), not an
exception; bad input is a CityguardError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from cityguard.assess.run import AssessRequest, run_assessment
from cityguard.core import dates, jsonio, limits
from cityguard.core.errors import DataError, UsageError
from cityguard.gate import evidence as _evidence  # noqa: F401  (registers its rule kinds)
from cityguard.gate import rules as _rules  # noqa: F401  (registers its rule kinds)
from cityguard.gate.kinds import KINDS, Check, GateContext
from cityguard.gate.stages import StageRule, load_stage_rules, rules_for
from cityguard.model import Assessment, Severity
from cityguard.model.serialize import assessment_from_dict
from cityguard.store import open_store
from cityguard.system.manifest import CONCLUSIONS, STAGES, Manifest, load_manifest

STATES = ("pass", "warn", "fail")
#: kinds judged on an assessment; a stage without them needs no run (plan, build)
@dataclass
class RuleOutcome:
    id: str
    state: str  # pass | warn | fail
    kind: str
    title_zh: str
    title_en: str
    message_zh: str
    message_en: str
    todo_zh: str
    todo_en: str
    clause: str = ""
    units: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    line: int | None = None  # manifest line of the record concerned
    evidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class GateResult:
    system: str
    level: int
    stage: str
    today: str
    manifest: str
    outcomes: list[RuleOutcome]
    fail_on: str
    min_conclusion: str
    run_id: str | None = None
    baseline_run_id: str | None = None

    @property
    def passed(self) -> bool:
        return not any(o.state == "fail" for o in self.outcomes)

    @property
    def failed(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.state == "fail"]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for o in self.outcomes if o.state == s) for s in STATES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system, "level": self.level, "stage": self.stage,
            "today": self.today, "manifest": self.manifest, "passed": self.passed,
            "fail_on": self.fail_on, "min_conclusion": self.min_conclusion,
            "run_id": self.run_id, "baseline_run_id": self.baseline_run_id,
            "counts": self.counts(), "rules": [o.to_dict() for o in self.outcomes],
        }  # fmt: skip


def parse_conclusion(value: str, flag: str = "--min-conclusion") -> str:
    """符合 / 基本符合 / 不符合 or compliant / basically_compliant / non_compliant."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    found = CONCLUSIONS.get(key) or CONCLUSIONS.get(value.strip())
    if not found:
        raise UsageError(f"{flag} must be 符合, 基本符合, 不符合 (or compliant, "
                         f"basically_compliant, non_compliant), got {value!r}")
    return found


def parse_fail_on(value: str) -> str:
    try:
        return Severity.parse(value).value
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise UsageError(f"--fail-on must be one of {known} (got {value!r})") from None


def parse_stage(value: str) -> str:
    if value not in STAGES:
        raise UsageError(f"--stage must be one of {', '.join(STAGES)} (got {value!r})")
    return value


def resolve_today(value: str | date | None = None) -> date:
    """The gate's today (core.dates.resolve_today: --today, CITYGUARD_TODAY, the calendar)."""
    return dates.resolve_today(value)


def _default(rules: Sequence[StageRule], kind: str, key: str, fallback: str) -> str:
    for r in rules:
        if r.kind == kind and r.param(key):
            return str(r.param(key))
    return fallback


def evaluate_gate(
    manifest: Manifest,
    stage: str,
    assessment: Assessment | None,
    *,
    fail_on: str | None = None,
    min_conclusion: str | None = None,
    baseline: Assessment | None = None,
    today: date | str | None = None,
    rules: Sequence[StageRule] | None = None,
    policies_dirs: Sequence[str | Path] = (),
) -> GateResult:
    """One RuleOutcome per stage rule that applies to the manifest's level at this stage.

    Thresholds: the argument, else the manifest's `gate:`, else the rule's default.
    """
    stage = parse_stage(stage)
    all_rules = list(rules) if rules is not None else load_stage_rules(policies_dirs)
    chosen = rules_for(all_rules, stage, manifest.level)
    ctx = GateContext(
        manifest=manifest, today=resolve_today(today), assessment=assessment, baseline=baseline,
        fail_on=parse_fail_on(fail_on or manifest.gate.fail_on
                              or _default(all_rules, "findings", "fail_on", "high")),
        min_conclusion=parse_conclusion(min_conclusion or manifest.gate.min_conclusion
                                        or _default(all_rules, "conclusion", "min_conclusion",
                                                    "basically_compliant")),
    )
    outcomes = []
    for rule in chosen:
        check = _judge(rule, ctx)
        outcomes.append(RuleOutcome(
            id=rule.id, state=check.state, kind=rule.kind, title_zh=rule.title_zh,
            title_en=rule.title_en, message_zh=check.zh, message_en=check.en,
            todo_zh=rule.todo_zh if check.state != "pass" else "",
            todo_en=rule.todo_en if check.state != "pass" else "",
            clause=rule.clause, units=rule.units_for(manifest.level), details=check.details,
            line=check.line, evidence=check.evidence,
        ))
    return GateResult(
        system=manifest.name, level=manifest.level, stage=stage,
        today=ctx.today.isoformat(), manifest=str(manifest.path), outcomes=outcomes,
        fail_on=ctx.fail_on, min_conclusion=ctx.min_conclusion,
        run_id=assessment.run_id if assessment else None,
        baseline_run_id=baseline.run_id if baseline else None,
    )


def _judge(rule: StageRule, ctx: GateContext) -> Check:
    return KINDS.get(rule.kind).judge(rule, ctx)


def needs_assessment(manifest: Manifest, stage: str, rules: Sequence[StageRule]) -> bool:
    return any(KINDS.get(r.kind).needs_assessment
               for r in rules_for(rules, stage, manifest.level))


# ---------------------------------------------------------------------------------------------
# the whole gate: manifest → assessment (run now, or a stored/earlier one) → baseline → verdict


@dataclass
class GateRequest:
    stage: str | None = None  # None: the manifest's own stage
    system: str | Path = "cityguard.yaml"
    fail_on: str | None = None
    min_conclusion: str | None = None
    baseline: str | None = None  # RUN_ID | latest | FILE (an Assessment JSON document)
    assessment: str | None = None  # RUN_ID | latest | FILE; None = run the assessment now
    store: str | None = None  # store path; also where a fresh run is kept when given
    today: str | None = None
    policies_dirs: Sequence[str] = ()
    checks_dirs: Sequence[str] = ()
    jobs: int | None = None  # None: the fleet decides (assess.fleet.hosts_in_flight)
    allow_outside_paths: bool = False  # manifest paths may leave its folder (docs/security.md)


@dataclass
class GateRun:
    result: GateResult
    assessment: Assessment | None
    ran_assessment: bool = False


def run_gate(req: GateRequest) -> GateRun:
    """Load the manifest, get the assessment the stage needs, and judge it."""
    if req.stage is not None:
        parse_stage(req.stage)
    today = resolve_today(req.today)
    if req.fail_on:
        parse_fail_on(req.fail_on)
    if req.min_conclusion:
        parse_conclusion(req.min_conclusion)
    manifest = load_manifest(req.system, allow_outside_paths=req.allow_outside_paths)
    stage = req.stage or manifest.stage
    rules = load_stage_rules(req.policies_dirs)
    # the baseline first: a fresh run kept in the same store must not become its own baseline
    baseline = load_assessment(req.baseline, req.store, manifest.name) if req.baseline else None
    assessment, ran = None, False
    if needs_assessment(manifest, stage, rules):
        if req.assessment:
            assessment = load_assessment(req.assessment, req.store, manifest.name)
        else:
            assessment, ran = assess_manifest(manifest, req, today), True
    result = evaluate_gate(manifest, stage, assessment, fail_on=req.fail_on,
                           min_conclusion=req.min_conclusion, baseline=baseline, today=today,
                           rules=rules)
    if req.store:  # the register's posture shows each stage's latest decision
        with open_store(req.store) as kept:
            kept.save_gate(manifest.name, stage, result.passed, [o.id for o in result.failed],
                           result.run_id)
    return GateRun(result, assessment, ran)


def assess_manifest(manifest: Manifest, req: GateRequest, today: date) -> Assessment:
    """Run the assessment of the manifest (its assets, scans, answers, evidence, waivers).

    No store is needed (a fresh CI job has none): the run is kept only when --store is given.
    """
    areq = AssessRequest(
        targets=(), checks_dirs=req.checks_dirs, policies_dirs=req.policies_dirs,
        jobs=req.jobs, system=str(manifest.path), today=today, store=req.store,
        use_store=bool(req.store), allow_outside_paths=req.allow_outside_paths,
    )
    return run_assessment(areq)


def load_assessment(ref: str, store: str | None, system: str | None = None) -> Assessment:
    """An Assessment from a JSON file, or from the store by run id ('latest': this system's)."""


    path = Path(ref)
    if path.suffix.lower() == ".json" or path.is_file():
        try:
            data = jsonio.load_file(path, limits.MAX_WHOLE_JSON)  # size and nesting bounded
            return assessment_from_dict(data)
        except FileNotFoundError:
            raise DataError(path, "file not found") from None
        except (ValueError, KeyError, TypeError) as exc:
            # jsonio names the place of a syntax error; here only the kind of failure is
            # given, the message would quote a key or value of the file
            raise DataError(path, "not an Assessment JSON document (a field is missing or "
                                  f"malformed: {type(exc).__name__})") from None

    with open_store(store) as s:
        data = s.load_run(ref, system=system if ref == "latest" else None)
    return assessment_from_dict(data)
