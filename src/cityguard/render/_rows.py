"""Tables of an Assessment as header + rows, shared by the XLSX and CSV renderers.

Each function returns (headers, rows) with plain str / int / float / None cells, complete
(no cap: spreadsheets hold every row), labels in the report language.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cityguard.model import Assessment, CheckResult
from cityguard.policy import messages
from cityguard.render import _lists, _paths, _problem, _waivers, i18n
from cityguard.render._highrisk import high_risk_note
from cityguard.render.i18n import label

Cell = Any
Table = tuple[list[str], Iterator[list[Cell]]]


def _h(lang: str, *keys: str) -> list[str]:
    return [label(k, lang) for k in keys]


def item_rows(a: Assessment, lang: str) -> Table:
    """测评结果记录: one row per item and assessed object."""
    headers = _h(lang, "class", "control_point", "item", "clause", "importance", "asset",
                 "verdict", "verdict_before", "source", "reason", "correction", "item_verdict",
                 "score", "check_ids", "finding_ids", "reasoning.decided_by", "reasoning.advice",
                 "reasoning.unverified", "reasoning.questions")
    classes = {g.key: i18n.pick(g.name_zh, g.name_en, lang) for g in a.classes}

    def rows() -> Iterator[list[Cell]]:
        for it in a.items:
            for o in it.objects or []:
                yield [
                    classes.get(it.class_code, it.class_code),
                    i18n.pick(it.control_point_zh, it.control_point_en, lang), it.unit_id,
                    it.clause, i18n.enum_label(i18n.IMPORTANCE, it.importance, lang), o.asset,
                    i18n.verdict(o.verdict, lang), i18n.verdict(o.verdict_before, lang)
                    if o.verdict_before != o.verdict else "",
                    i18n.enum_label(i18n.SOURCE, o.source, lang),
                    i18n.pick(o.reason_zh, o.reason, lang), o.correction,
                    i18n.verdict(it.verdict, lang), it.score, ", ".join(o.check_ids),
                    ", ".join(o.finding_ids), ", ".join(o.decided_by), ", ".join(o.advice),
                    ", ".join(o.unverified),
                    "\n".join(i18n.pick(q.question_zh, q.question_en, lang)
                              for q in o.open_questions),
                ]

    return headers, rows()


def issue_rows(a: Assessment, lang: str) -> Table:
    """问题清单: high-risk issues, then every object not compliant (gaps included)."""
    headers = ["#", label("type", lang), label("item", lang), label("asset", lang),
               label("title", lang), label("verdict", lang) + " / " + label("status", lang),
               label("evidence", lang), label("importance", lang)]
    def rows() -> Iterator[list[Cell]]:
        n = 0
        for h in a.high_risks:
            n += 1
            note = high_risk_note(h, a, lang)
            yield [n, label("issue_high", lang) + f" {h.case_id}",
                   ", ".join(h.unit_ids), h.asset, i18n.pick(h.title_zh, h.title_en, lang),
                   i18n.enum_label(i18n.HIGH_RISK_STATUS, h.status, lang),
                   "\n".join([*(i18n.say(e, lang) for e in h.evidence), *([note] if note else [])]),
                   ""]
        for it in a.items:
            for o in it.objects:
                if o.verdict in ("non_compliant", "partial", "not_assessed"):
                    n += 1
                    yield [n, label("issue_item", lang), it.unit_id, o.asset,
                           i18n.pick(it.control_point_zh, it.control_point_en, lang)
                           + f" {it.clause}", i18n.verdict(o.verdict, lang),
                           i18n.pick(o.reason_zh, o.reason, lang),
                           i18n.enum_label(i18n.IMPORTANCE, it.importance, lang)]

    return headers, rows()


def remediation_rows(a: Assessment, lang: str) -> Table:
    """整改清单: the remediation plan in priority order (high-risk issues first)."""
    headers = [label("priority", lang), label("remediation", lang),
               label("risk_level_scale", lang),
               label("vulnerability", lang), label("affected", lang), label("units", lang)]
    plan = _lists.remediation(a, lang, limit=None)

    def rows() -> Iterator[list[Cell]]:
        for h in plan.high_risks:
            yield [0, label("remediation_high_risk", lang) + f" {h.case_id}: "
                   + i18n.pick(h.title_zh, h.title_en, lang), "", "", h.asset,
                   ", ".join(h.unit_ids)]
        for g in plan.groups:
            for r in g.rows:
                more = r.vulnerability_count - len(r.vulnerabilities)
                yield [g.priority, r.remediation, r.level_label,
                       "；".join(r.vulnerabilities) + (f" (+{more})" if more > 0 else ""),
                       ", ".join(r.assets), ", ".join(r.unit_ids)]

    return headers, rows()


def risk_rows(a: Assessment, lang: str) -> Table:
    headers = _h(lang, "risk_id", "priority", "risk_level_scale", "risk_value", "asset",
                 "asset_value", "threat", "vulnerability", "likelihood", "loss", "units",
                 "remediation", "waiver", "threat_id", "vulnerability_ref", "risk_method")
    problems = _problem.Problems(a, lang)
    index = _waivers.WaiverIndex(a, _waivers.waivers(a))

    def rows() -> Iterator[list[Cell]]:
        for r in a.risks:
            yield [r.id, r.priority, i18n.enum_label(i18n.RISK_LEVEL, r.level, lang),
                   r.risk_value, r.asset, r.asset_value, i18n.pick(r.threat_zh, r.threat_en, lang),
                   problems.risk(r), r.likelihood, r.loss, ", ".join(r.unit_ids),
                   i18n.pick(r.remediation_zh, r.remediation_en, lang),
                   waiver_text(index.for_risk(r), lang), r.threat_id, r.vulnerability,
                   i18n.enum_label(i18n.RISK_METHOD, r.method, lang)]

    return headers, rows()


FINDING_FIELDS = ("fingerprint", "asset_key", "asset_kind", "port", "protocol", "severity",
                  "severity_raw", "cvss_score", "title", "rule_id", "tool", "format", "status",
                  "cves", "cwes", "location", "unit_ids", "description", "solution", "evidence",
                  "references", "first_seen", "last_seen", "source_file")


#: the workbook's findings sheet: what an assessor filters on (the CSV keeps every field)
SHEET_FINDING_FIELDS = ("asset_key", "port", "severity", "cvss_score", "title", "rule_id", "tool",
                        "status", "cves", "location", "unit_ids", "solution", "evidence",
                        "fingerprint")
_FINDING_LABELS = {"asset_key": "asset", "port": "port", "severity": "severity", "title": "title",
                   "cvss_score": "cvss",
                   "rule_id": "rule", "tool": "tool", "format": "format", "status": "status",
                   "cves": "cves", "location": "location", "unit_ids": "units",
                   "solution": "solution", "evidence": "evidence", "fingerprint": "fingerprint"}


def finding_rows(a: Assessment, lang: str, *, machine: bool = False,
                 fields: tuple[str, ...] = FINDING_FIELDS) -> Table:
    """发现清单: every finding; `machine` keeps the JSON field names and values (CSV).

    For people (the workbook) severity and status are labels in `lang`. Either way the
    source file is shown relative to the run's folder, never as this machine's path.
    """
    headers = [k if machine or k not in _FINDING_LABELS else label(_FINDING_LABELS[k], lang)
               for k in fields]
    base = _paths.run_base(a)
    labels = {} if machine else {"severity": i18n.SEVERITY, "status": i18n.FINDING_STATUS}

    def value(d: dict[str, Cell], k: str) -> Cell:
        v = d[k]
        if k == "source_file":
            return _paths.shown_path(str(v or ""), base)
        if k in labels:
            return i18n.enum_label(labels[k], v, lang)
        return ", ".join(v) if isinstance(v, list) else v

    def rows() -> Iterator[list[Cell]]:
        for f in a.findings:
            d = f.to_dict()
            yield [value(d, k) for k in fields]

    return headers, rows()


def sheet_finding_rows(a: Assessment, lang: str) -> Table:
    return finding_rows(a, lang, fields=SHEET_FINDING_FIELDS)


def _evidence(r: CheckResult, lang: str) -> str:
    parts = []
    for e in r.evidence:
        where = f"{e.file}:{e.line}" if e.file and e.line else (e.file or i18n.say(e.subject,
                                                                                     lang))
        seen = e.observed if not isinstance(e.observed, (list, tuple)) else "; ".join(
            map(str, e.observed))
        expected = i18n.paren(f"{label('expected', lang)} {i18n.say(e.expected, lang)}", lang)
        parts.append(f"{where}: {seen}" + (expected if e.expected else ""))
    return "\n".join(parts)


def waiver_text(w: _waivers.WaiverRow | None, lang: str) -> str:
    """A waiver as one cell: its id and until when (or that it has lapsed)."""
    if w is None:
        return ""
    date = w.expires or "—"
    key = "report.waiver_lapsed" if w.expired else "report.waived_until"
    return f"{w.id} " + messages.t(key, lang, date=date) if w.id else messages.t(key, lang,
                                                                                 date=date)


def result_rows(a: Assessment, lang: str) -> Table:
    headers = _h(lang, "asset", "rule", "title", "status", "severity", "units", "evidence",
                 "reason", "remediation", "waiver")
    index = _waivers.WaiverIndex(a, _waivers.waivers(a))

    def rows() -> Iterator[list[Cell]]:
        for r in a.results:
            yield [r.asset, r.check_id, i18n.pick(r.title_zh, r.title_en, lang),
                   i18n.status(r.status, lang), i18n.severity(r.severity, lang),
                   ", ".join(r.unit_ids), _evidence(r, lang), i18n.say(r.reason, lang),
                   i18n.pick(r.remediation_zh, r.remediation_en, lang),
                   waiver_text(index.for_result(r), lang)
                   if r.waived or r.status.value == "fail" else ""]

    return headers, rows()
