"""Comparing two runs: items better / worse / changed, findings, risks, high-risk issues."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from render_sample import build_sample

from cityguard.model import Finding, HighRisk, Severity
from cityguard.render.diff import compare, render_diff


def _after():
    before = build_sample()
    items = []
    for it in before.items:
        new = {"L3-CES1-01": "compliant", "L3-CES1-12": "partial",
               "L3-PSS1-01": "not_applicable"}.get(it.unit_id)
        items.append(replace(it, verdict=new) if new else it)
    open_fps = [f for f in before.findings if f.status in ("open", "reopened")]
    fixed = open_fps[0]
    findings = [replace(f, status="fixed") if f is fixed else f for f in before.findings]
    new_finding = Finding("zap", "zap_json", "url", "https://portal.city.example", "40012",
                          "Cross Site Scripting (Reflected) <b>new</b>", Severity.HIGH)
    risks = before.risks[1:] + [replace(before.risks[0], id="R-new", vulnerability_title="新风险")]
    high = before.high_risks[1:] + [HighRisk("6.4.2.1", ["L3-CES1-05"], "db01", "默认口令",
                                             "Default password", ["snmp public"])]
    after = replace(before, run_id="run-after", created="2025-08-10T09:30:00+08:00",
                    items=items, findings=[*findings, new_finding], risks=risks,
                    high_risks=high, summary=replace(before.summary, compliance_rate=66.0,
                                                     conclusion="basically_compliant"))
    return before, after, fixed, new_finding


def test_compare_sorts_changes_into_better_worse_and_changed():
    before, after, fixed, new_finding = _after()
    d = compare(before, after)
    assert [c.unit_id for c in d.items_better] == ["L3-CES1-01"]
    assert [c.unit_id for c in d.items_worse] == ["L3-CES1-12"]
    assert [(c.unit_id, c.before, c.after) for c in d.items_changed] == [
        ("L3-PSS1-01", "not_assessed", "not_applicable")]
    assert [e.key for e in d.findings_new] == [new_finding.fingerprint]
    assert [e.key for e in d.findings_fixed] == [fixed.fingerprint]
    assert [e.key for e in d.risks_new] == ["R-new"]
    assert [e.key for e in d.risks_gone] == [before.risks[0].id]
    assert [e.key for e in d.high_risks_new] == ["6.4.2.1@db01"]
    assert [e.key for e in d.high_risks_gone] == ["6.4.1.1@web01"]
    assert (d.rate_before, d.rate_after) == (51.4, 66.0)
    assert not d.empty
    assert compare(before, before).empty


def test_not_assessed_to_non_compliant_is_not_better():
    before = build_sample()
    items = [replace(i, verdict="non_compliant") if i.verdict == "not_assessed" else i
             for i in before.items]
    d = compare(before, replace(before, items=items))
    assert not d.items_better and not d.items_worse
    assert {c.after for c in d.items_changed} == {"non_compliant"}


def test_diff_renders_as_html_markdown_and_json():
    before, after, _, _ = _after()
    d = compare(before, after, "en")
    html = render_diff(d, "html", "en").decode("utf-8")
    assert "Content-Security-Policy" in html and "<script" not in html
    assert "&lt;b&gt;new&lt;/b&gt;" in html and "Items that got worse" in html
    md = render_diff(compare(before, after), "md", "zh").decode("utf-8")
    assert "## 恶化" in md and "## 改善" in md and "`L3-CES1-12`" in md
    # Markdown's own escapes: no tag can open, and the raw file stays readable
    assert "\\<b>new\\</b>" in md and not re.search(r"(?<!\\)<b>", md)
    doc = json.loads(render_diff(d, "json"))
    assert doc["items_worse"][0]["unit_id"] == "L3-CES1-12"
