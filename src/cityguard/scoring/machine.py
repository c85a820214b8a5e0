"""The verdict machine evidence gives one item on one object (docs/scoring.md §1).

Each check mapped to an item has a role there (policies/mlps2/checkmap): *decisive* checks
test what the requirement asks and decide; *advisory* checks are benchmark recommendations
that are listed under 整改建议 and never lower a verdict by themselves. A manual check adds a
question to the item instead of vetoing the evidence:

| decisive results on the object          | verdict                                        |
|-----------------------------------------|------------------------------------------------|
| a fail and a pass                       | 部分符合                                        |
| a fail at `defeated_at` (critical)      | 不符合, whatever passes beside it               |
| fails only (errors, questions aside)    | 不符合                                          |
| passes, a decisive check erroring       | `pass_with_pending` (default 未测评: unverified) |
| passes only                             | 符合 (needs confirmation while a question is open) |
| errors / questions only                 | 未测评, with the questions                      |
| nothing decisive, advisory checks only  | 未测评 (advice is no evidence of the control)   |
| every result not applicable             | 不适用                                          |

Open findings mapped to the item can only make it worse (high → 不符合, low → 部分符合).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cityguard.model import CheckResult, Finding, ObjectVerdict, Question
from cityguard.policy.messages import enum, t
from cityguard.scoring.common import RAISE_ORDER, at_least, worse

#: (unit id, check id) → "decisive" | "advisory"; unmapped pairs are decisive
RoleOf = Callable[[str, str], str]


@dataclass
class Split:
    """One object's results for one item, sorted by role and status."""

    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    defeating: list[str] = field(default_factory=list)  # failed at or above `defeated_at`
    errors: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    advisory: list[str] = field(default_factory=list)
    advisory_ran: list[str] = field(default_factory=list)  # advisory checks that passed/failed
    advice: list[str] = field(default_factory=list)


def split(unit_id: str, results: list[CheckResult], role_of: RoleOf,
          defeated_at: str = "critical") -> Split:
    s = Split()
    for r in results:
        status = r.status.value
        if role_of(unit_id, r.check_id) == "advisory":
            s.advisory.append(r.check_id)
            if status in ("pass", "fail"):
                s.advisory_ran.append(r.check_id)
            if status == "fail":
                s.advice.append(r.check_id)
            continue
        if status == "manual":
            s.questions.append(question(r))
        elif status == "fail" and at_least(r.severity, defeated_at):
            s.failed.append(r.check_id)
            s.defeating.append(r.check_id)
        else:
            {"pass": s.passed, "fail": s.failed, "error": s.errors,
             "not_applicable": s.not_applicable}[status].append(r.check_id)
    return s


def question(r: CheckResult) -> Question:
    # the runner writes a manual result's reason as "<question_zh> / <question_en>"
    zh, sep, en = r.reason.partition(" / ")
    return Question(r.check_id, zh.strip(), (en if sep else zh).strip())


def _say(key: str, **fields: object) -> tuple[str, str]:
    return t(key, "en", **fields), t(key, "zh", **fields)


def verdict_of(s: Split, vcfg: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """The verdict the decisive evidence gives, and the (en, zh) sentences that say why."""
    why: list[tuple[str, str]] = []
    if s.failed:
        verdict = "partial" if s.passed and not s.defeating else "non_compliant"
        key = "scoring.reason.fail_pass" if s.passed else "scoring.reason.fail"
        why.append(_say(key, failed=len(s.failed), passed=len(s.passed)))
        if s.defeating and s.passed:
            why.append(_say("scoring.reason.defeated", checks=", ".join(s.defeating)))
    elif s.passed and s.errors:
        verdict = vcfg["pass_with_pending"]
        why.append(_say("scoring.reason.pass", passed=len(s.passed)))
    elif s.passed:
        verdict = "compliant"
        why.append(_say("scoring.reason.pass", passed=len(s.passed)))
    elif s.errors or s.questions:
        verdict = "not_assessed"
    elif s.advisory_ran:
        verdict = "not_assessed"
        why.append(_say("scoring.reason.advisory_only"))
    elif s.not_applicable or s.advisory:
        verdict = "not_applicable"
        why.append(_say("scoring.reason.not_applicable"))
    else:
        verdict = "not_assessed"
    if s.errors:
        why.append(_say("scoring.reason.unverified", count=len(s.errors),
                        checks=", ".join(s.errors)))
    if s.questions:
        key = "scoring.reason.confirm" if verdict in RAISE_ORDER else "scoring.reason.questions"
        why.append(_say(key, count=len(s.questions)))
    if s.advice:
        why.append(_say("scoring.reason.advice", count=len(s.advice)))
    return verdict, why


def from_findings(findings: list[Finding], fcfg: dict[str, Any]) -> tuple[str, str, str]:
    """(verdict, en, zh) from open findings: the severest decides how far it lowers an item."""
    counted = [f for f in findings if at_least(f.severity, fcfg["partial_at"])]
    if not counted:
        return "", "", ""
    worst = max(counted, key=lambda f: (f.severity.rank if hasattr(f.severity, "rank") else 0))
    verdict = "non_compliant" if at_least(worst.severity, fcfg["non_compliant_at"]) else "partial"
    fields = {"count": len(counted)}
    return (
        verdict,
        t("scoring.reason.findings", "en", severity=enum("severity", worst.severity, "en"),
          **fields),
        t("scoring.reason.findings", "zh", severity=enum("severity", worst.severity, "zh"),
          **fields),
    )


def automated(asset: str, unit_id: str, results: list[CheckResult], findings: list[Finding],
              vcfg: dict[str, Any], role_of: RoleOf) -> ObjectVerdict:
    """The object's verdict from checks (by role) and open findings, with its reasoning."""
    s = split(unit_id, results, role_of, vcfg.get("defeated_at", "critical"))
    verdict, why = verdict_of(s, vcfg)
    fv, fen, fzh = from_findings(findings, vcfg["findings"])
    if fv:
        verdict = worse(verdict, fv) if verdict in RAISE_ORDER else fv
        why.append((fen, fzh))
    source = "checks" if results else "findings"
    return ObjectVerdict(
        asset=asset, verdict=verdict, verdict_before=verdict, source=source,
        reason="; ".join(en for en, _ in why), reason_zh="；".join(zh for _, zh in why),
        check_ids=sorted({r.check_id for r in results}),
        finding_ids=sorted({f.fingerprint for f in findings}),
        decided_by=sorted(s.passed + s.failed), advisory=sorted(s.advisory),
        advice=sorted(s.advice), unverified=sorted(s.errors),
        open_questions=s.questions,
        needs_confirmation=bool(s.questions) and verdict in RAISE_ORDER,
    )
