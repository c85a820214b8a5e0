"""Item verdicts per assessed object: checks, findings, evidence records, answers, corrections.

Order of precedence for one item on one object (docs/scoring.md §1):
1. machine evidence: check results by their role for the item (scoring.machine) and open
   findings mapped to it;
2. evidence records (documents) referenced to the item, where machines said nothing;
3. an answer from a person overrides both (the machine's verdict is kept beside it);
4. a compensating measure (修正) may raise the result; before and after are kept.
An item nothing speaks for is `not_assessed`: a gap, never counted as compliant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cityguard.model import CheckResult, Finding, Item, ObjectVerdict
from cityguard.scoring import machine
from cityguard.scoring.common import RAISE_ORDER, VERDICT_EN, AssetIndex, zh


@dataclass
class Sources:
    """Evidence about the selected items, indexed by unit id and asset."""

    results: dict[str, dict[str, list[CheckResult]]]
    findings: dict[str, dict[str, list[Finding]]]
    records: dict[str, list[dict[str, Any]]]
    answers: dict[str, list[dict[str, Any]]]
    corrections: dict[str, list[dict[str, Any]]]
    # (unit id, check id) → role of the check for that item; absent pairs are decisive
    roles: dict[tuple[str, str], str] = field(default_factory=dict)

    def role_of(self, unit_id: str, check_id: str) -> str:
        return self.roles.get((unit_id, check_id), "decisive")


def index_sources(
    results: Sequence[CheckResult],
    findings: Sequence[Finding],
    evidence_records: Sequence[dict[str, Any]],
    answers: dict[str, list[dict[str, Any]]],
    mitigations: Sequence[dict[str, Any]],
    assets: AssetIndex,
    cfg: dict[str, Any],
    roles: dict[tuple[str, str], str] | None = None,
) -> Sources:
    vcfg = cfg["verdicts"]
    by_result: dict[str, dict[str, list[CheckResult]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        if r.waived and not vcfg["count_waived"]:
            continue
        for uid in r.unit_ids:
            by_result[uid][r.asset].append(r)
    by_finding: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    open_statuses = set(vcfg["findings"]["open_statuses"])
    for f in findings:
        if f.status not in open_statuses:
            continue
        asset = assets.resolve(f)
        for uid in f.unit_ids:
            by_finding[uid][asset].append(f)
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in evidence_records:
        for uid in _refs(rec):
            records[uid].append(rec)
    corrections: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mitigations:
        for uid in _list(m.get("unit_ids", m.get("unit_id"))):
            corrections[uid].append(m)
    return Sources(by_result, by_finding, records, dict(answers or {}), corrections,
                   dict(roles or {}))


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _refs(rec: dict[str, Any]) -> list[str]:
    return _list(rec.get("unit_ids")) + _list(rec.get("ref"))


def object_verdicts(
    item: Item, src: Sources, cfg: dict[str, Any], today: date
) -> list[ObjectVerdict]:
    """The item's verdict on every object something speaks about (at least one object)."""
    uid = item.unit_id
    vcfg = cfg["verdicts"]
    system = vcfg["system_object"]
    objs: dict[str, ObjectVerdict] = {}
    results = src.results.get(uid, {})
    findings = src.findings.get(uid, {})
    for asset in sorted(set(results) | set(findings)):
        objs[asset] = machine.automated(asset, uid, results.get(asset, []), findings.get(asset, []),
                                vcfg, src.role_of)
    _apply_records(objs, src.records.get(uid, []), system, vcfg["evidence"], today)
    _apply_answers(objs, src.answers.get(uid, []), system)
    if not objs:
        objs[system] = ObjectVerdict(
            asset=system, verdict="not_assessed", verdict_before="not_assessed", source="none",
            reason="no check, finding, evidence record or answer covers this item",
            reason_zh="无检查结果、扫描发现、证据记录或人工答复覆盖此测评项",
        )
    for ov in objs.values():
        _apply_corrections(ov, src.corrections.get(uid, []), cfg["verdicts"]["corrections"])
    return [objs[k] for k in sorted(objs)]


def _apply_records(
    objs: dict[str, ObjectVerdict], records: list[dict[str, Any]], system: str,
    ecfg: dict[str, Any], today: date,
) -> None:
    for rec in records:
        verdict, en, cn = _judge_record(rec, ecfg, today)
        asset = str(rec.get("asset") or "")
        targets = [asset] if asset else [k for k, o in objs.items() if o.verdict == "not_assessed"]
        if not targets and not objs:
            targets = [system]
        for a in targets:
            cur = objs.get(a)
            if cur is not None and cur.verdict != "not_assessed":
                continue  # machine evidence speaks louder than a document's existence
            objs[a] = ObjectVerdict(
                asset=a, verdict=verdict, verdict_before=verdict, source="evidence",
                reason=en, reason_zh=cn, **_kept(cur),
            )


def _kept(cur: ObjectVerdict | None) -> dict[str, Any]:
    """What a document or a person's answer keeps of the machine's reasoning (their word
    settles the open questions, so those are not carried over)."""
    if cur is None:
        return {}
    return {"check_ids": cur.check_ids, "finding_ids": cur.finding_ids,
            "decided_by": cur.decided_by, "advisory": cur.advisory, "advice": cur.advice,
            "unverified": cur.unverified}


def _judge_record(rec: dict[str, Any], ecfg: dict[str, Any], today: date) -> tuple[str, str, str]:
    name = str(rec.get("path") or rec.get("ref") or rec.get("type") or "document")
    problems_en, problems_zh = [], []
    if ecfg["require_approver"] and not rec.get("approver"):
        problems_en.append("no approver")
        problems_zh.append("无审批人")
    when = _date(rec.get("date"))
    if when is None:
        problems_en.append("no date")
        problems_zh.append("无日期")
    elif ecfg["max_age_days"] is not None and (today - when).days > ecfg["max_age_days"]:
        age = (today - when).days
        problems_en.append(f"{age} days old (limit {ecfg['max_age_days']})")
        problems_zh.append(f"已 {age} 天（上限 {ecfg['max_age_days']} 天）")
    if problems_en:
        return (
            ecfg["when_invalid"],
            f"evidence record {name}: " + ", ".join(problems_en),
            f"证据记录 {name}：" + "，".join(problems_zh),
        )
    approver = rec.get("approver") or ""
    return (
        ecfg["when_valid"],
        f"evidence record {name} dated {when}" + (f", approved by {approver}" if approver else ""),
        f"证据记录 {name}，日期 {when}" + (f"，审批人 {approver}" if approver else ""),
    )


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _apply_answers(
    objs: dict[str, ObjectVerdict], answers: list[dict[str, Any]], system: str
) -> None:
    specific = {str(a["asset"]): a for a in answers if a.get("asset")}
    general = next((a for a in answers if not a.get("asset")), None)
    for asset, ans in specific.items():
        objs[asset] = _answered(objs.get(asset), asset, ans)
    if general is not None:
        targets = [k for k in objs if k not in specific] or ([] if specific else [system])
        for asset in targets:
            objs[asset] = _answered(objs.get(asset), asset, general)


def _answered(cur: ObjectVerdict | None, asset: str, ans: dict[str, Any]) -> ObjectVerdict:
    verdict = ans["verdict"]
    who = " ".join(str(x) for x in (ans.get("assessor"), ans.get("date")) if x)
    note = str(ans.get("note") or "")
    en = "answered" + (f" by {who}" if who else "") + (f": {note}" if note else "")
    cn = "人工答复" + (f"（{who}）" if who else "") + (f"：{note}" if note else "")
    automated = cur.verdict if cur is not None and cur.source != "none" else None
    if automated is not None and automated != verdict:
        en += f" (overrides automated {automated}: {cur.reason})"
        cn += f"（覆盖自动判定“{zh(automated)}”：{cur.reason_zh}）"
    return ObjectVerdict(
        asset=asset, verdict=verdict, verdict_before=verdict, source="answer", reason=en,
        reason_zh=cn, answer=dict(ans), automated_verdict=automated, **_kept(cur),
    )


def _apply_corrections(
    ov: ObjectVerdict, corrections: list[dict[str, Any]], ccfg: dict[str, Any]
) -> None:
    if ov.verdict not in ("non_compliant", "partial"):
        return  # nothing to raise; a gap cannot be corrected into a result
    cap = RAISE_ORDER.index(ccfg["max_verdict"])
    for m in corrections:
        if m.get("asset") and str(m["asset"]) != ov.asset:
            continue
        target = str(m.get("raise_to") or ccfg["default_raise_to"])
        rank = min(RAISE_ORDER.index(target), cap)
        if rank <= RAISE_ORDER.index(ov.verdict):
            continue
        text = str(m.get("measure_zh") or m.get("description") or m.get("measure") or "")
        text_en = str(m.get("measure_en") or m.get("description") or m.get("measure") or "")
        mid = f"{m['id']} " if m.get("id") else ""
        before = ov.verdict
        ov.verdict = RAISE_ORDER[rank]
        ov.correction = (
            f"修正：{mid}{text}（{zh(before)} → {zh(ov.verdict)}）"
            f" / corrected: {mid}{text_en} ({VERDICT_EN[before]} → {VERDICT_EN[ov.verdict]})"
        )
