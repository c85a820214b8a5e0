"""What got better and worse between two runs: items, findings, risks, high-risk issues.

`compare(before, after) -> Diff` reads only the two Assessments: an item is better when its
score in the report template rose (符合 1, 部分符合 0.5, 不符合 and 未测评 0), worse when it
fell, changed when only the label moved (for example 不符合 → 未测评, or to 不适用); a finding
is new when it is open after and was not open before, fixed the other way round (matched by
fingerprint); risks by register id; high-risk issues by case and asset while open.
`render_diff(diff, fmt, lang)` writes it as HTML or Markdown (reports/{html,md}/diff.*.j2) or
JSON; the terminal table is the CLI's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from cityguard.model import Assessment
from cityguard.render import _templates, i18n

OPEN = ("open", "reopened")
_SCORE = {"compliant": 1.0, "partial": 0.5, "non_compliant": 0.0, "not_assessed": 0.0}
FORMATS = ("html", "md", "json")


@dataclass
class ItemChange:
    unit_id: str
    name: str
    before: str | None  # verdict, None when the item was not selected in that run
    after: str | None


@dataclass
class Entry:
    key: str  # fingerprint, risk id, or case@asset
    asset: str
    title: str
    level: str  # severity, risk level or status


@dataclass
class Diff:
    system: str
    run_before: str
    run_after: str
    created_before: str
    created_after: str
    rate_before: float | None
    rate_after: float | None
    conclusion_before: str
    conclusion_after: str
    items_better: list[ItemChange] = field(default_factory=list)
    items_worse: list[ItemChange] = field(default_factory=list)
    items_changed: list[ItemChange] = field(default_factory=list)
    findings_new: list[Entry] = field(default_factory=list)
    findings_fixed: list[Entry] = field(default_factory=list)
    risks_new: list[Entry] = field(default_factory=list)
    risks_gone: list[Entry] = field(default_factory=list)
    high_risks_new: list[Entry] = field(default_factory=list)
    high_risks_gone: list[Entry] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.items_better, self.items_worse, self.items_changed,
                        self.findings_new, self.findings_fixed, self.risks_new, self.risks_gone,
                        self.high_risks_new, self.high_risks_gone))


def compare(before: Assessment, after: Assessment, lang: str = "zh") -> Diff:
    sb, sa = before.summary, after.summary
    d = Diff(
        system=after.system.name, run_before=before.run_id, run_after=after.run_id,
        created_before=before.created, created_after=after.created,
        rate_before=sb.compliance_rate if sb else None,
        rate_after=sa.compliance_rate if sa else None,
        conclusion_before=sb.conclusion if sb else "", conclusion_after=sa.conclusion if sa else "",
    )
    items_b = {i.unit_id: i for i in before.items}
    items_a = {i.unit_id: i for i in after.items}
    for uid in sorted(items_b.keys() | items_a.keys()):
        ib, ia = items_b.get(uid), items_a.get(uid)
        vb, va = (ib.verdict if ib else None), (ia.verdict if ia else None)
        if vb == va:
            continue
        ref = ia or ib
        assert ref is not None
        change = ItemChange(uid, i18n.pick(ref.control_point_zh, ref.control_point_en, lang), vb,
                            va)
        xb, xa = _SCORE.get(vb or ""), _SCORE.get(va or "")
        if xb is not None and xa is not None and xa != xb:
            (d.items_better if xa > xb else d.items_worse).append(change)
        else:
            d.items_changed.append(change)

    open_b = {f.fingerprint: f for f in before.findings if f.status in OPEN}
    open_a = {f.fingerprint: f for f in after.findings if f.status in OPEN}
    d.findings_new = [Entry(k, f.asset_key, f.title, f.severity.value)
                      for k, f in open_a.items() if k not in open_b]
    d.findings_fixed = [Entry(k, f.asset_key, f.title, f.severity.value)
                        for k, f in open_b.items() if k not in open_a]
    for lst in (d.findings_new, d.findings_fixed):
        lst.sort(key=lambda e: (-_rank(e.level), e.asset, e.title))

    risks_b = {r.id: r for r in before.risks}
    risks_a = {r.id: r for r in after.risks}
    d.risks_new = [Entry(k, r.asset, r.vulnerability_title, str(r.level))
                   for k, r in risks_a.items() if k not in risks_b]
    d.risks_gone = [Entry(k, r.asset, r.vulnerability_title, str(r.level))
                    for k, r in risks_b.items() if k not in risks_a]

    hr_b = {f"{h.case_id}@{h.asset}": h for h in before.high_risks if h.status == "open"}
    hr_a = {f"{h.case_id}@{h.asset}": h for h in after.high_risks if h.status == "open"}
    d.high_risks_new = [Entry(k, h.asset, i18n.pick(h.title_zh, h.title_en, lang), h.status)
                        for k, h in hr_a.items() if k not in hr_b]
    d.high_risks_gone = [Entry(k, h.asset, i18n.pick(h.title_zh, h.title_en, lang), h.status)
                         for k, h in hr_b.items() if k not in hr_a]
    return d


def _rank(severity: str) -> int:
    return {"critical": 4, "high": 3, "medium": 2, "low": 1}.get(severity, 0)


def render_diff(diff: Diff, fmt: str, lang: str = "zh") -> bytes:
    if fmt == "json":
        return (json.dumps(asdict(diff), ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    name = {"html": "diff.html.j2", "md": "diff.md.j2"}[fmt]
    return _templates.render(fmt, name, lang, d=diff).encode("utf-8", "replace")
