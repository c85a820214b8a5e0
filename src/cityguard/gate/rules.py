"""Gate rules about the assessment: high-risk issues, findings at the threshold, the conclusion,
and the waivers that may hide findings.

With a baseline run, what the baseline already had is not held against this run: a failed
check that failed before (same check, same asset), a finding with a known fingerprint, a
high-risk case already open on that asset. Only what is new blocks.
"""

from __future__ import annotations

from cityguard.gate.kinds import Check, GateContext, kind
from cityguard.gate.stages import StageRule
from cityguard.model import CheckResult, CheckStatus, Finding, Severity
from cityguard.policy.messages import enum_text, say, text
from cityguard.system.manifest import CONCLUSION_RANK, CONCLUSION_ZH, Manifest, Waiver

OPEN_FINDING = ("open", "reopened")
_NO_RUN = Check("fail", "没有可用的测评结果", "no assessment to judge")


def _asset_names(m: Manifest, key: str) -> set[str]:
    """The manifest asset ids a scanner's asset key (ip, host, url) may stand for."""
    names = {key}
    for a in m.assets:
        target = a.target or ""
        host = target.split("@")[-1].split(":")[0] if target.startswith("ssh://") else ""
        if key in (a.id, a.name, host) or key in a.tags:
            names.add(a.id)
    return names


def waiver_for_result(r: CheckResult, waivers: list[Waiver]) -> Waiver | None:
    for w in waivers:
        if w.asset and w.asset != r.asset:
            continue
        if (w.check and w.check == r.check_id) or (w.item and w.item in r.unit_ids):
            return w
    return None


def waiver_for_finding(f: Finding, waivers: list[Waiver], m: Manifest) -> Waiver | None:
    for w in waivers:
        if w.asset and w.asset not in _asset_names(m, f.asset_key):
            continue
        if (w.finding and f.fingerprint.startswith(w.finding.lower())) \
                or (w.item and w.item in f.unit_ids) or (w.check and w.check == f.rule_id):
            return w
    return None


def valid_waivers(ctx: GateContext) -> list[Waiver]:
    return [w for w in ctx.manifest.waivers if not w.expired(ctx.today)]


@kind("waivers")
def check_waivers(_rule: StageRule, ctx: GateContext) -> Check:
    warn_days = ctx.manifest.gate.waiver_warn_days
    expired = [w for w in ctx.manifest.waivers if w.expired(ctx.today)]
    soon = [w for w in ctx.manifest.waivers
            if not w.expired(ctx.today) and (w.expires - ctx.today).days <= warn_days]
    line = (expired or soon or [None])[0]
    at = line.line if isinstance(line, Waiver) else None
    if expired:
        details = [text("gate.detail.waiver_expired", id=w.id, subject=w.subject,
                        expires=str(w.expires), approver=w.approver) for w in expired]
        return Check("fail", f"{len(expired)} 条豁免已过期：" + "；".join(
            f"{w.id}（{w.subject}）于 {w.expires} 到期" for w in expired),
            f"{len(expired)} expired waiver(s): " + "; ".join(
            f"{w.id} ({w.subject}) expired {w.expires}" for w in expired),
            details=details, line=at)
    if soon:
        return Check("warn", f"{len(soon)} 条豁免将在 {warn_days} 天内到期：" + "；".join(
            f"{w.id} 至 {w.expires}" for w in soon),
            f"{len(soon)} waiver(s) expire within {warn_days} days: " + ", ".join(
            f"{w.id} on {w.expires}" for w in soon),
            details=[text("gate.detail.waiver_expires", id=w.id, subject=w.subject,
                          expires=str(w.expires)) for w in soon], line=at)
    n = len(ctx.manifest.waivers)
    return Check("pass", f"{n} 条豁免均在有效期内", f"{n} waiver(s), none expired")


@kind("high_risks", needs_assessment=True)
def check_high_risks(_rule: StageRule, ctx: GateContext) -> Check:
    a = ctx.assessment
    if a is None:
        return _NO_RUN
    open_ = [h for h in a.high_risks if h.status == "open"]
    known = {(h.case_id, h.asset) for h in ctx.baseline.high_risks} if ctx.baseline else set()
    new = [h for h in open_ if (h.case_id, h.asset) not in known]
    hidden = len(open_) - len(new)
    note_zh = f"（基线已有 {hidden} 项，不计）" if hidden else ""
    note_en = f" ({hidden} already in the baseline, not counted)" if hidden else ""
    if new:
        details = [text("gate.detail.high_risk", case=h.case_id, asset=h.asset,
                        title_zh=h.title_zh, title_en=h.title_en) for h in new]
        return Check("fail", f"{len(new)} 项未处置的高风险问题{note_zh}：" + "；".join(
            f"{h.case_id} {h.title_zh}（{h.asset}）" for h in new),
            f"{len(new)} open high-risk issue(s){note_en}: " + "; ".join(details),
            details=details)
    if ctx.baseline:
        return Check("pass", f"无新的未处置高风险问题{note_zh}",
                     f"no new open high-risk issue{note_en}")
    return Check("pass", "无未处置的高风险问题", "no open high-risk issue")


def _rank(sev: Severity | str) -> int:
    return Severity(sev).rank


@kind("findings", needs_assessment=True)
def check_findings(_rule: StageRule, ctx: GateContext) -> Check:
    a = ctx.assessment
    if a is None:
        return _NO_RUN
    floor = _rank(ctx.fail_on)
    waivers = valid_waivers(ctx)
    base_fail = {(r.check_id, r.asset) for r in ctx.baseline.results
                 if r.status == CheckStatus.FAIL} if ctx.baseline else set()
    base_fp = {f.fingerprint for f in ctx.baseline.findings} if ctx.baseline else set()
    blocking: list[str] = []
    waived = hidden = 0
    for r in a.results:
        if r.status != CheckStatus.FAIL or r.severity.rank < floor:
            continue
        if r.waived or waiver_for_result(r, waivers):
            waived += 1
        elif (r.check_id, r.asset) in base_fail:
            hidden += 1
        else:
            blocking.append(text("gate.detail.check", check=r.check_id, asset=r.asset,
                                 severity=enum_text("severity", r.severity)))
    for f in a.findings:
        if f.severity.rank < floor:
            continue
        if f.status == "accepted" and waiver_for_finding(f, waivers, ctx.manifest):
            waived += 1  # the run applied the waiver already
            continue
        if f.status not in OPEN_FINDING:
            continue
        if waiver_for_finding(f, waivers, ctx.manifest):
            waived += 1
        elif f.fingerprint in base_fp:
            hidden += 1
        else:
            blocking.append(text("gate.detail.finding", fingerprint=f.fingerprint[:12],
                                 rule=f"{f.tool}:{f.rule_id}", asset=f.asset_key,
                                 severity=enum_text("severity", f.severity), title=f.title))
    notes_zh = [f"{waived} 项已豁免"] if waived else []
    notes_en = [f"{waived} waived"] if waived else []
    if hidden:
        notes_zh.append(f"基线已有 {hidden} 项")
        notes_en.append(f"{hidden} already in the baseline")
    nz = f"（{'，'.join(notes_zh)}）" if notes_zh else ""
    ne = f" ({', '.join(notes_en)})" if notes_en else ""
    if blocking:
        rest = len(blocking) - 5
        shown = "; ".join(blocking[:5]) + (f"; … {rest} more" if rest > 0 else "")
        shown_zh = "；".join(say(b, "zh") for b in blocking[:5]) + (
            f"；…… 另有 {rest} 项" if rest > 0 else "")
        return Check("fail", f"{len(blocking)} 项达到 {ctx.fail_on} 及以上且未豁免{nz}：{shown_zh}",
                     f"{len(blocking)} unwaived at {ctx.fail_on} or above{ne}: {shown}",
                     details=blocking)
    return Check("pass", f"没有达到 {ctx.fail_on} 及以上且未豁免的问题{nz}",
                 f"nothing unwaived at {ctx.fail_on} or above{ne}")


@kind("conclusion", needs_assessment=True)
def check_conclusion(_rule: StageRule, ctx: GateContext) -> Check:
    a = ctx.assessment
    if a is None:
        return _NO_RUN
    want = ctx.min_conclusion
    if a.summary is None or a.summary.conclusion not in CONCLUSION_RANK:
        return Check("fail", "测评结果没有结论（未评分）", "the assessment has no conclusion "
                     "(it was not scored)")
    got = a.summary.conclusion
    rate = a.summary.compliance_rate
    text_zh = f"结论 {CONCLUSION_ZH[got]}（符合率 {rate}%），要求不低于 {CONCLUSION_ZH[want]}"
    text_en = f"conclusion {got} (compliance {rate}%), minimum {want}"
    if CONCLUSION_RANK[got] >= CONCLUSION_RANK[want]:
        return Check("pass", text_zh, text_en)
    base = ctx.baseline.summary if ctx.baseline else None
    if base is not None and CONCLUSION_RANK.get(base.conclusion, -1) <= CONCLUSION_RANK[got]:
        return Check("warn", f"{text_zh}；未低于基线（{CONCLUSION_ZH.get(base.conclusion)}）",
                     f"{text_en}; not worse than the baseline ({base.conclusion})")
    return Check("fail", text_zh, text_en)
