"""Page one tells one story: conclusion, the high-risk issues by name, waivers with expiry.

The summary's MLPS high-risk count is the length of the list that names them; every waiver is
listed with its expiry and state, expired or soon-expiring ones are called out, and whatever a
waiver covers (a failed check, a finding, a risk) carries the mark with the date; the two
scales that both say "high" are named apart; the register states problems, not titles.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from cityguard import render
from cityguard.model import Finding, Risk, Severity


def _html(a, lang: str = "zh") -> str:
    return render.render_bytes(a, "html", lang=lang).decode("utf-8")


def _summary(page: str) -> str:
    return page[page.index('id="sec-summary"'):page.index('id="sec-scope"')]


def _named_rows(summary: str) -> list[str]:
    table = re.search(r'<table class="named-high-risks.*?</table>', summary, re.S)
    return re.findall(r'<tr class="hr-row">.*?</tr>', table.group(0), re.S) if table else []


def test_high_risk_count_equals_the_named_list(sample, example_run):
    for a in (sample, example_run[0], replace(sample, high_risks=[])):
        for lang in ("zh", "en"):
            summary = _summary(_html(a, lang))
            count = int(re.search(r'id="kpi-high-risks".*?data-count="(\d+)"', summary,
                                  re.S).group(1))
            rows = _named_rows(summary)
            assert count == len(rows) == len(a.high_risks), (lang, count, len(rows))
            for h in a.high_risks:  # each by case, name, asset and status
                row = next(r for r in rows if h.case_id in r and h.asset in r)
                assert html.escape(h.title_zh if lang == "zh" else h.title_en) in row
                assert f"hr-{h.status}" in row


def test_every_waiver_is_listed_with_its_expiry_and_state(sample):
    summary = _summary(_html(sample))
    rows = re.findall(r'<tr class="waiver-row state-(\w+)">(.*?)</tr>', summary, re.S)
    assert len(rows) == len(sample.waivers)
    by_id = {re.search(r'class="mono">([^<]+)<', r).group(1): (state, r) for state, r in rows}
    assert by_id["W-1"][0] == "active" and "2025-12-31" in by_id["W-1"][1]
    assert "剩余 235 天" in by_id["W-1"][1]  # 2025-05-10 → 2025-12-31
    assert by_id["W-0"][0] == "expired" and "2025-01-31" in by_id["W-0"][1]
    assert "已过期 99 天" in by_id["W-0"][1]
    callout = re.search(r'id="waiver-callout">(.*?)</p>', summary, re.S).group(1)
    assert "1 项豁免已过期、0 项将在 30 天内到期" in callout
    # a waiver ending within 30 days of the run is called out as expiring
    soon = replace(sample, waivers=[{**sample.waivers[0], "until": "2025-05-20"}])
    summary = _summary(_html(soon, "en"))
    assert 'state-expiring' in summary and "0 waiver(s) have expired and 1 expire" in summary
    assert "10 days left" in summary
    quiet = replace(sample, waivers=[sample.waivers[0]])
    assert 'id="waiver-callout"' not in _summary(_html(quiet))


def test_whatever_a_waiver_covers_is_marked_with_its_date(sample):
    """The waived failed check (annex B, waived results), a waived finding and its risk."""
    f = replace(sample.findings[1], status="accepted")
    waivers = [*sample.waivers, {"id": "W-9", "finding": f.fingerprint[:16], "asset": "web01",
                                 "reason": "补偿措施已部署", "approved_by": "李处长",
                                 "until": "2025-09-30"}]
    risk = Risk("R-f", "web01", "T-EXPLOIT", "利用漏洞攻击", "Exploit", f.fingerprint, f.title,
                4, 4, 4, 4, 4, 24, 5, "很高", 1, ["L3-CES1-17"], "升级", "Upgrade", "Very high",
                "finding", "matrix")
    a = replace(sample, waivers=waivers, risks=[risk, *sample.risks])
    page = _html(a)
    annex = page[page.index('id="annex-checks"'):]
    waived = [r for r in sample.results if r.waived]
    assert waived
    for r in waived:
        row = re.search(rf'<tr>(?:(?!</tr>).)*{re.escape(r.check_id)}(?:(?!</tr>).)*</tr>',
                        annex[annex.index(r.asset):], re.S).group(0)
        assert "已豁免（至 2025-12-31）" in row
    top = _summary(page)
    assert "已豁免（至 2025-09-30）" in top  # the risk on page one
    findings = page[page.index('id="sec-findings"'):page.index('id="sec-remediation"')]
    assert "已豁免（至 2025-09-30）" in findings
    register = page[page.index('id="sec-risks"'):page.index('id="sec-findings"')]
    assert "已豁免（至 2025-09-30）" in register
    # an expired waiver is marked as lapsed, never as waived
    lapsed = replace(a, waivers=[{**w, "until": "2025-01-01"} for w in waivers])
    top = _summary(_html(lapsed))
    assert "豁免已过期（2025-01-01），按未整改计" in top and "已豁免（至" not in top


def test_two_scales_are_named_apart(sample):
    for lang, mlps, gbt in (("zh", "等保高风险问题", "风险等级（GB/T 20984）"),
                            ("en", "MLPS high-risk issues", "Risk level (GB/T 20984)")):
        summary = _summary(_html(sample, lang))
        assert mlps in summary and gbt in summary
        assert 'class="scale-note' in summary and "20984" in summary


def test_the_register_states_the_problem_with_the_observed_value(example_run):
    a, _ = example_run
    risk = next(r for r in a.risks if r.vulnerability == "linux.files.shadow_mode")
    result = next(r for r in a.results if r.check_id == risk.vulnerability
                  and r.asset == risk.asset)
    zh, en = _html(a), _html(a, "en")
    assert f"未满足：{result.title_zh}（实测：0644）" in zh
    assert f"Not met: {result.title_en} (observed: 0644)" in en
    register = zh[zh.index('id="sec-risks"'):zh.index('id="sec-findings"')]
    assert result.title_en not in register  # never the English title as the vulnerability
    md = render.render_bytes(a, "md").decode("utf-8")
    assert "未满足：/etc/shadow" in md
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(render.render_bytes(a, "xlsx")))
    problems = [row[7] for row in wb["风险登记表"].iter_rows(min_row=2, values_only=True)]
    assert any(p and p.startswith("未满足：/etc/shadow") and "0644" in p for p in problems)


def test_a_high_risk_cleared_by_answers_says_so_in_one_language(example_run):
    a, _ = example_run
    waived = [h for h in a.high_risks if h.status == "waived"]
    if not waived:
        return
    zh, en = _summary(_html(a)), _summary(_html(a, "en"))
    assert "人工判定相关测评项符合或不适用" in zh and "a person answered" not in zh
    assert "A person judged the items compliant or not applicable" in en
    assert "人工答复判定" not in en


def test_findings_without_a_waiver_carry_no_mark(sample):
    a = replace(sample, findings=[Finding("nessus", "nessus", "host", "10.0.0.5", "1", "x",
                                          Severity.HIGH)], waivers=[],
                results=[r for r in sample.results if not r.waived])
    page = _html(a)
    assert 'class="waived-mark' not in page
