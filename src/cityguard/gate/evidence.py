"""Gate rules about documents: is the evidence there, dated, approved, fresh and complete?

Evidence is checked, not just named: the file must exist next to the manifest, carry a real
date that is not in the future, an approver when the rule asks for one, be young enough, and
hold the fields the rule requires (e.g. a security test that covers cryptography and leaves no
high-risk issue open). Each function returns a Check; cityguard.gate.run turns it into a
RuleOutcome.
"""

from __future__ import annotations

import calendar
from datetime import date

from cityguard.core.dates import parse_day
from cityguard.gate.kinds import Check, GateContext, kind
from cityguard.gate.stages import StageRule
from cityguard.model import CheckStatus
from cityguard.policy.messages import text
from cityguard.system.manifest import EvidenceRecord, Manifest


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _records(m: Manifest, types: list[str]) -> list[EvidenceRecord]:
    """Records of these types, newest first (undated last)."""
    recs = [e for e in m.evidence if e.type in types]
    return sorted(recs, key=lambda e: e.date or date.min, reverse=True)


def _problems(rec: EvidenceRecord, rule: StageRule, ctx: GateContext
              ) -> tuple[list[tuple[str, str]], str | None]:
    """(problems as (zh, en), warning en-key) of one record against one rule."""
    out: list[tuple[str, str]] = []
    if not rec.file.is_file():
        out.append((f"文件 {rec.path} 不存在", f"file {rec.path} does not exist"))
    name = rule.param("date_field", "date")
    day = rec.date if name == "date" else parse_day(rec.get(name))
    if day is None:
        out.append((f"缺少日期 {name}", f"no {name}"))
    elif day > ctx.today:
        out.append((f"{name} {day} 晚于今天 {ctx.today}", f"{name} {day} is after today"))
    if rule.param("approver", True) and not str(rec.approver).strip():
        out.append(("缺少审批人 approver", "no approver"))
    for key in rule.param("fields", ()):
        if rec.get(key) in (None, ""):
            out.append((f"缺少字段 {key}", f"no {key}"))
    for key, want in (rule.param("require") or {}).items():
        if rec.get(key) != want:
            out.append((f"{key} 应为 {want}（实际 {rec.get(key)}）",
                        f"{key} must be {want} (is {rec.get(key)})"))
    for key, low in (rule.param("min") or {}).items():
        got = rec.get(key)
        if not isinstance(got, (int, float)) or got < low:
            out.append((f"{key} 应不小于 {low}（实际 {got}）", f"{key} must be ≥ {low} (is {got})"))
    for key, allowed in (rule.param("one_of") or {}).items():
        if rec.get(key) not in allowed:
            out.append((f"{key} 应为 {'/'.join(map(str, allowed))}（实际 {rec.get(key)}）",
                        f"{key} must be one of {', '.join(map(str, allowed))}"))
    later = [e for e in _records(ctx.manifest, rule.param("not_after", [])) if e.date]
    if later and rec.date and rec.date > min(e.date for e in later if e.date):
        first = min(later, key=lambda e: e.date or date.max)
        out.append((f"批准日期 {rec.date} 晚于建设开始（{first.type} {first.date}）",
                    f"approved {rec.date}, after building started ({first.type} {first.date})"))
    warn = None
    if day is not None and day <= ctx.today:
        out += _age(day, rule, ctx)
        warn = _warn_age(day, rule, ctx)
    return out, warn


def _limit(rule: StageRule, ctx: GateContext) -> tuple[str, int] | None:
    """The freshness limit as ('days', n) or ('months', n), or None when there is none."""
    months = rule.param("interval_months")
    if months is not None:
        setting = rule.param("interval_setting")
        override = getattr(ctx.manifest.gate, setting, None) if setting else None
        n = override or months.get(str(ctx.manifest.level), months.get(ctx.manifest.level))
        return ("months", int(n)) if n else None
    days = rule.param("max_age_days")
    return ("days", int(days)) if days is not None else None


def _age(day: date, rule: StageRule, ctx: GateContext) -> list[tuple[str, str]]:
    limit = _limit(rule, ctx)
    if limit is None:
        return []
    unit, n = limit
    due = add_months(day, n) if unit == "months" else date.fromordinal(day.toordinal() + n)
    if ctx.today <= due:
        return []
    age = (ctx.today - day).days
    zh_unit, en_unit = ("个月", "months") if unit == "months" else ("天", "days")
    return [(f"已 {age} 天，超过 {n} {zh_unit}（应于 {due} 前更新）",
             f"{age} days old, over the limit of {n} {en_unit} (due {due})")]


def _warn_age(day: date, rule: StageRule, ctx: GateContext) -> str | None:
    table = rule.param("warn_months") or {}
    months = table.get(ctx.manifest.level, table.get(str(ctx.manifest.level)))
    if months and ctx.today > add_months(day, int(months)):
        return "warn"
    return None


@kind("evidence")
def check_evidence(rule: StageRule, ctx: GateContext) -> Check:
    types = list(rule.param("evidence", []))
    recs = _records(ctx.manifest, types)
    if not recs:
        return Check("fail", f"evidence 中没有 {'/'.join(types)} 记录",
                     f"no {'/'.join(types)} record in evidence")
    judged = [(r, *_problems(r, rule, ctx)) for r in recs]
    for rec, problems, warn in judged:
        if not problems:
            when = rec.date.isoformat() if rec.date else "?"
            who = f"，审批人 {rec.approver}" if rec.approver else ""
            whom = f", approved by {rec.approver}" if rec.approver else ""
            if warn:
                return Check("warn", f"{rec.path}（{when}{who}）。{rule.param('warn_zh', '')}",
                             f"{rec.path} ({when}{whom}). {rule.param('warn_en', '')}",
                             line=rec.line, evidence=rec.path)
            return Check("pass", f"{rec.path}（{when}{who}）", f"{rec.path} ({when}{whom})",
                         line=rec.line, evidence=rec.path)
    rec, problems, _ = judged[0]
    details = [text("gate.detail.evidence", path=r.path, problems_zh="；".join(zh for zh, _ in p),
                    problems_en="; ".join(en for _, en in p)) for r, p, _ in judged[1:]]
    return Check("fail", f"{rec.path}：" + "；".join(zh for zh, _ in problems),
                 f"{rec.path}: " + "; ".join(en for _, en in problems),
                 details=details, line=rec.line, evidence=rec.path)


@kind("filing_validity")
def check_filing(rule: StageRule, ctx: GateContext) -> Check:
    """3 years from the filing (not before count_from), plus 1 per completed assessment."""
    recs = [r for r in _records(ctx.manifest, list(rule.param("evidence", []))) if r.date]
    if not recs:
        return Check("fail", "evidence 中没有带日期的备案证明（filing_certificate）",
                     "no dated filing certificate (filing_certificate) in evidence")
    rec = recs[0]
    assert rec.date is not None
    if not rec.file.is_file():
        return Check("fail", f"文件 {rec.path} 不存在", f"file {rec.path} does not exist",
                     line=rec.line, evidence=rec.path)
    start = max(rec.date, parse_day(rule.param("count_from")) or rec.date)
    done = [e for e in _records(ctx.manifest, list(rule.param("extending_evidence", [])))
            if e.date and rec.date < e.date <= ctx.today and e.file.is_file()]
    years = int(rule.param("valid_years", 3)) + int(rule.param("extend_years", 1)) * len(done)
    until = parse_day(rec.get("expires")) or add_months(start, 12 * years)
    number = rec.get("number") or rec.ref or "?"
    left = (until - ctx.today).days
    basis_zh = f"备案证明 {number}（{rec.date}），{len(done)} 次测评延期，有效期至 {until}"
    basis_en = f"filing certificate {number} ({rec.date}), {len(done)} assessment(s) " \
               f"extending it, valid until {until}"
    if left < 0:
        return Check("fail", f"{basis_zh}，已过期 {-left} 天", f"{basis_en}: expired {-left} "
                     "days ago", line=rec.line, evidence=rec.path)
    if left <= int(rule.param("renew_warn_days", 90)):
        return Check("warn", f"{basis_zh}，{left} 天后到期，请申请延续",
                     f"{basis_en}: expires in {left} days, ask for renewal",
                     line=rec.line, evidence=rec.path)
    return Check("pass", basis_zh, basis_en, line=rec.line, evidence=rec.path)


@kind("log_retention", needs_assessment=True)
def check_log_retention(rule: StageRule, ctx: GateContext) -> Check:
    """The assessment's retention checks, or a retention document when they say nothing."""
    wanted = set(rule.param("checks", []))
    results = [r for r in (ctx.assessment.results if ctx.assessment else [])
               if r.check_id in wanted]
    failed = [f"{r.check_id} @ {r.asset}" for r in results if r.status == CheckStatus.FAIL]
    passed = [r for r in results if r.status == CheckStatus.PASS]
    doc = check_evidence(rule, ctx) if rule.param("evidence") else None
    if doc is not None and doc.state != "fail":
        note = f"（检查项未通过：{', '.join(failed)}）" if failed else ""
        note_en = f" (checks failing: {', '.join(failed)})" if failed else ""
        return Check("pass", f"日志留存证明 {doc.zh}{note}", f"retention document {doc.en}"
                     f"{note_en}", details=failed, line=doc.line, evidence=doc.evidence)
    if failed:
        return Check("fail", f"日志留存检查未通过：{', '.join(failed)}",
                     f"log-retention checks failed: {', '.join(failed)}", details=failed)
    if passed:
        return Check("pass", f"{len(passed)} 项日志留存检查通过",
                     f"{len(passed)} log-retention check result(s) pass")
    reason_zh = doc.zh if doc is not None else ""
    reason_en = doc.en if doc is not None else ""
    return Check("fail", f"测评中没有日志留存检查结果，且无有效留存证明（{reason_zh}）",
                 f"no log-retention check result in the assessment and no valid retention "
                 f"document ({reason_en})")
