"""Run checks on targets: applicability, rule evaluation, evidence, concurrency, timeouts.

A probe call runs in a daemon thread watched by a timeout, so a hung probe makes that one
check `error` while the run goes on (the stuck thread is abandoned, never joined). Checks
run concurrently in a thread pool (`jobs`); results come back in check order per asset.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cityguard.core.errors import UsageError
from cityguard.core.redact import redact
from cityguard.engine.expect import describe, judge, text
from cityguard.engine.patterns import DEADLINE, PatternError
from cityguard.engine.probes import PROBES, Observation, ProbeContext, ProbeError
from cityguard.engine.spec import Check, Expect, Group, Node, Rule
from cityguard.model import CheckResult, CheckStatus, Evidence
from cityguard.model.text import Text
from cityguard.policy.messages import joined
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target, WouldBlock

MAX_EVIDENCE_PER_RULE = 20
REASON_VALUES = 3  # failing values a reason names before "and N more"
SLOW_PROBES = frozenset({"command", "http", "package", "service", "apt_updates"})
PASS, FAIL, ERROR, NA, MANUAL = "pass", "fail", "error", "not_applicable", "manual"


class ProbeTimeout(Exception):
    pass


def message_of(exc: BaseException) -> str:
    """An exception's message, a Text when it was raised with one (str(exc) would flatten it)."""
    arg = exc.args[0] if len(exc.args) == 1 else None
    return arg if isinstance(arg, Text) else str(exc)


@dataclass
class Outcome:
    status: str
    evidence: list[Evidence] = field(default_factory=list)
    reason: str = ""


def check_timeout(timeout: float) -> float:
    """A probe timeout must be a positive, finite number of seconds (0, -1, nan and inf would
    make every probe an error, or never time out)."""
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise UsageError(f"probe timeout must be a positive number of seconds (got {timeout!r})")
    return float(timeout)


def call_with_timeout(fn: Callable[[], Any], timeout: float) -> Any:
    """fn() in a daemon thread; ProbeTimeout when it has not returned after `timeout` s.

    The thread cannot be killed, so the work itself must stop: the deadline is set in the
    thread (engine.patterns.DEADLINE), and pattern matching, where a hostile file can make a
    probe spin, ends there with PatternError instead of running on unseen."""
    check_timeout(timeout)
    box: dict[str, Any] = {}
    deadline = time.monotonic() + timeout

    def target() -> None:
        DEADLINE.set(deadline)
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True, name="cityguard-probe")
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise ProbeTimeout(f"{timeout:g}")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _evidence(rule: Rule, subject: str, obs: Observation, ctx: ProbeContext) -> Outcome:
    j = judge(rule.expect, obs.values)
    key = str(rule.params.get("key", ""))
    # failing values first: when a probe yields hundreds of values (accounts, packages), the
    # ones that decide the result must survive the cut, and the reason must name them
    bad = [c for c in j.checked if not c[1]]
    ordered = bad + [c for c in j.checked if c[1]]
    ev: list[Evidence] = []
    for value, ok, note in ordered[:MAX_EVIDENCE_PER_RULE]:
        subj = subject if value.subject in (None, "", subject) else f"{subject} [{value.subject}]"
        msg = joined((note, obs.note if value.subject == "default" else ""))
        ev.append(Evidence(rule.probe, subj, redact(value.value, key), j.expected, ok,
                           value.file, value.line, msg))
    omitted = ordered[MAX_EVIDENCE_PER_RULE:]
    if omitted:
        n_bad = sum(1 for _, ok, _ in omitted if not ok)
        ev.append(Evidence(rule.probe, subject, None, j.expected, None, message=say(
            "engine.evidence.omitted", n=len(omitted), failing=n_bad,
            passing=len(omitted) - n_bad)))
    if not j.checked or (obs.note and rule.expect.op in ("exists", "count")):
        msg = joined((j.message, obs.note))
        ev.append(Evidence(rule.probe, subject, None, j.expected, j.status == PASS, message=msg))
    reason = ""
    if j.status == FAIL:
        reason = _fail_reason(subject, j, [(v, n) for v, _, n in bad], key, obs.note)
    elif j.status == NA:
        reason = say("engine.reason.no_value", subject=subject, why=obs.note or j.message)
    return Outcome(j.status, ev, reason)


def _fail_reason(subject: str, j: Any, bad: list[tuple[Any, str]], key: str,
                 note: str) -> str:
    """'<subject>: <failing values> and N more, expected <…>', naming what failed."""
    if not bad:  # nothing found where something was expected (exists, count, missing)
        found = joined((j.message, note)) or say("engine.reason.nothing_found")
        return say("engine.reason.fail_found", subject=subject, found=found,
                   expected=j.expected)
    shown = []
    for value, why in bad[:REASON_VALUES]:
        seen = redact(value.value, key)
        seen = repr(seen) if isinstance(seen, str) else text(seen)
        who = "" if value.subject in (None, "", subject) else f"{value.subject} = "
        one: str = f"{who}{seen}"
        if not who and value.line is not None:
            one = say("engine.reason.at_line", value=one, line=value.line)
        shown.append(say("engine.reason.because", value=one, why=why) if why else one)
    more = (say("engine.reason.more", n=len(bad) - REASON_VALUES)
            if len(bad) > REASON_VALUES else "")
    counted = say("engine.reason.counted", message=j.message) if j.message else ""
    return say("engine.reason.fail_values", subject=subject, values=shown, more=more,
               counted=counted, expected=j.expected)


def _collect(probe: Any, node: Rule, ctx: ProbeContext) -> Any:
    """The probe's observation; in a watched thread unless the probe only computes on data
    already in memory (`inline`: a parsed device configuration), where a thread per call
    costs more than the work and the deadline alone bounds the pattern matching.

    A target that holds what it read in memory (an SSH host after its prefetch) offers
    `memory_only()`: the probe first runs inline, and only when it needs the host again
    (WouldBlock) does it run in a watched thread. On a fleet, starting a thread per probe
    call was most of the engine's time (issue 25)."""
    timeout = probe.timeout(node.params, ctx.default_timeout)
    memory_only = getattr(ctx.target, "memory_only", None)
    if not getattr(probe, "inline", False) and memory_only is None:
        return call_with_timeout(lambda: probe.collect(ctx.target, node.params, ctx), timeout)
    check_timeout(timeout)
    token = DEADLINE.set(time.monotonic() + timeout)
    try:
        if memory_only is None:
            return probe.collect(ctx.target, node.params, ctx)
        with memory_only():
            return probe.collect(ctx.target, node.params, ctx)
    except WouldBlock:
        pass
    finally:
        DEADLINE.reset(token)
    return call_with_timeout(lambda: probe.collect(ctx.target, node.params, ctx), timeout)


def evaluate(node: Node, ctx: ProbeContext) -> Outcome:
    if isinstance(node, Group):
        return _combine(node.op, [evaluate(c, ctx) for c in node.children])
    probe = PROBES.get(node.probe)
    subject = probe.subject(node.params)
    try:
        obs = _collect(probe, node, ctx)
    except ProbeTimeout as exc:
        return _error(node, subject, say("engine.error.timeout", probe=node.probe,
                                         seconds=str(exc)))
    except (ProbeError, PatternError) as exc:
        return _error(node, subject, message_of(exc))
    except Exception as exc:  # a probe bug or an unexpected file: this check only
        return _error(node, subject, say("engine.error.probe_failed", probe=node.probe,
                                         error=f"{type(exc).__name__}: {exc}"))
    if obs.not_applicable:
        ev = Evidence(node.probe, subject, None, describe(node.expect), None,
                      message=obs.not_applicable)
        return Outcome(NA, [ev], obs.not_applicable)
    if obs.manual:  # the file cannot settle it (a release-dependent default): ask a person
        ev = Evidence(node.probe, subject, None, describe(node.expect), None, message=obs.manual)
        return Outcome(MANUAL, [ev], obs.manual)
    try:
        return _evidence(node, subject, obs, ctx)
    except PatternError as exc:  # an expect pattern that a value makes run too long
        return _error(node, subject, message_of(exc))


def _error(rule: Rule, subject: str, message: str) -> Outcome:
    ev = Evidence(rule.probe, subject, None, describe(rule.expect), None, message=message)
    return Outcome(ERROR, [ev], message)


def _combine(op: str, parts: list[Outcome]) -> Outcome:
    ev = [e for p in parts for e in p.evidence]
    statuses = [p.status for p in parts]
    if op == "none":  # none of the rules may hold: a passing rule fails the group
        statuses = [FAIL if s == PASS else PASS if s == FAIL else s for s in statuses]
    decisive = FAIL if op in ("all", "none") else PASS
    if decisive in statuses:
        status = decisive
    elif ERROR in statuses:
        status = ERROR
    elif MANUAL in statuses:  # nothing decided it, and a person must answer one part
        status = MANUAL
    elif all(s == NA for s in statuses):
        status = NA
    else:
        status = PASS if op in ("all", "none") else FAIL
    reasons = [p.reason for p, s in zip(parts, statuses, strict=True) if s == status and p.reason]
    if op == "none" and status == FAIL:
        reasons = [say("engine.reason.none_may_hold", subject=e.subject)
                   for p, s in zip(parts, statuses, strict=True)
                   if s == FAIL for e in p.evidence[:1]]
    return Outcome(status, ev, joined(reasons[:3]))


def applicability(check: Check, ctx: ProbeContext) -> Outcome | None:
    """An Outcome when the check does not apply (or cannot tell), None when it applies.

    A target whose system is unknown (a dir: of config files without os-release) passes the
    platform and family filters: the files are there to be checked.
    """
    a, facts = check.applies, ctx.facts
    if a.min_level is not None and ctx.level < a.min_level:
        return Outcome(NA, [], say("engine.applies.min_level", min_level=a.min_level,
                                   level=ctx.level))
    if a.platform and "any" not in a.platform and facts.platform != "unknown" \
            and facts.platform not in a.platform:
        return Outcome(NA, [], say("engine.applies.platform", platform=facts.platform,
                                   wanted=", ".join(a.platform)))
    if a.os_family and facts.os_family != "unknown" and facts.os_family not in a.os_family:
        return Outcome(NA, [], say("engine.applies.os_family", family=facts.os_family,
                                   wanted=", ".join(a.os_family)))
    if a.present_when is not None or a.service:
        node = a.present_when or Rule("service", {"name": a.service, "property": "present"},
                                      _present_expect())
        got = evaluate(node, ctx)
        if got.status == ERROR:
            return got
        if got.status != PASS:
            if a.service:
                return Outcome(NA, [], say("engine.applies.absent", what=a.service))
            return Outcome(NA, [], say("engine.applies.component_absent"))
    return None


def _present_expect() -> Any:
    return Expect("equals", True)


def run_check(check: Check, ctx: ProbeContext, unit_ids: Sequence[str] = (),
              asset_id: str | None = None) -> CheckResult:
    start = time.perf_counter()
    asset = asset_id or getattr(ctx.target, "asset_id", ctx.target.spec)
    base = {"check_id": check.id, "asset": asset, "severity": check.severity,
            "unit_ids": tuple(unit_ids), "title_zh": check.title_zh, "title_en": check.title_en,
            "remediation_zh": check.remediation_zh, "remediation_en": check.remediation_en}
    try:
        evaluation = getattr(ctx.target, "evaluation", None)
        if evaluation is None:
            outcome = _outcome(check, ctx)
        else:  # a fleet host: an earlier host that gave the same answers gave the outcome
            outcome = evaluation(_memo_key(check, ctx), lambda: _outcome(check, ctx),
                                 lambda o: o.status != ERROR)
    except Exception as exc:  # never lose the run to one check
        outcome = Outcome(ERROR, [], say("engine.error.internal",
                                         error=f"{type(exc).__name__}: {exc}"))
    reason = outcome.reason if outcome.status != PASS else ""
    return CheckResult(status=CheckStatus(outcome.status), evidence=tuple(outcome.evidence),
                       reason=reason, duration_ms=(time.perf_counter() - start) * 1000, **base)


def _outcome(check: Check, ctx: ProbeContext) -> Outcome:
    outcome = applicability(check, ctx)
    if outcome is None and check.mode == "manual":
        outcome = Outcome("manual", [], manual_question(check.question_zh, check.question_en))
    if outcome is None:
        assert check.root is not None
        outcome = evaluate(check.root, ctx)
    return outcome


def _memo_key(check: Check, ctx: ProbeContext) -> tuple[Any, ...]:
    """What a check's outcome depends on besides the reads the target traces: the check, the
    run's settings, the facts (not the host name: no check reads it) and the minute, since a
    few probes compare dates with the clock (password age, file age)."""
    facts = replace(ctx.facts, hostname="")
    return (id(check), check.id, ctx.level, ctx.default_timeout, str(ctx.base_dir),
            repr(facts), int(time.time() // 60))


class _TracedContext(ProbeContext):
    """The context of a target that traces its answers (targets.ssh_memo): a value its checks
    share (a parsed file) keeps the reads it was computed from, and a check that takes it
    from the cache counts those reads as its own, so its memoised outcome is keyed on them."""

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        target: Any = self.target
        value, reads = super().cached(key, lambda: target.traced(compute))
        target.replay(reads)
        return value


def manual_question(zh: str, en: str) -> Text:
    """A manual check's question. Its str stays "<zh> / <en>" (the JSON's reason has always
    carried both, and scoring splits it into the item's open question); said in a language
    it is that language's question only."""
    return Text(f"{zh} / {en}", "engine.manual.question", {"question_zh": zh, "question_en": en})


def make_context(target: Target, level: int, base_dir: Path | None = None,
                 default_timeout: float = 10.0) -> ProbeContext:
    check_timeout(default_timeout)
    kind = _TracedContext if hasattr(target, "traced") else ProbeContext
    return kind(target=target, facts=target.facts(), level=level,
                base_dir=base_dir or Path.cwd(), default_timeout=default_timeout)


def run_checks(
    checks: Sequence[Check],
    targets: Sequence[Target],
    *,
    level: int = 3,
    jobs: int = 4,
    unit_ids: Mapping[str, Sequence[str]] | None = None,
    base_dir: Path | None = None,
    default_timeout: float = 10.0,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Every check on every target; results ordered by target, then check."""
    contexts = [make_context(t, level, base_dir, default_timeout) for t in targets]
    work = [(ci, ti) for ti in range(len(targets)) for ci in range(len(checks))]
    units = unit_ids or {}

    def one(item: tuple[int, int]) -> CheckResult:
        ci, ti = item
        res = run_check(checks[ci], contexts[ti], units.get(checks[ci].id, ()))
        if on_result is not None:
            on_result(res)
        return res

    if jobs <= 1:
        return [one(w) for w in work]
    # checks that wait on programs or the network (dnf --cacheonly: seconds), or read large
    # files (apt lists), start first, so that they overlap with the many quick file checks
    slow = {ci for ci, c in enumerate(checks) if c.probes() & SLOW_PROBES}
    order = sorted(range(len(work)), key=lambda n: work[n][0] not in slow)
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="cityguard-check") as pool:
        done = dict(zip(order, pool.map(one, [work[n] for n in order]), strict=True))
    return [done[n] for n in range(len(work))]
