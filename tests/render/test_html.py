"""The HTML report without a browser: self-contained, escaped, every section, caps."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from render_sample import PAYLOADS, build_sample, unscored

from cityguard import render
from cityguard.model import Finding, Severity
from cityguard.policy import messages

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'")
SECTIONS = ["summary", "scope", "method", "results", "high_risks", "risks", "findings",
            "remediation", "waivers", "trend"]


class _Scan(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _scan(html: str) -> _Scan:
    s = _Scan()
    s.feed(html)
    return s


def _html(a, lang="zh") -> str:
    return render.render_bytes(a, "html", lang=lang).decode("utf-8")


def test_self_contained_with_a_strict_csp(sample):
    page = _html(sample)
    scan = _scan(page)
    metas = [attrs for tag, attrs in scan.tags if tag == "meta"]
    assert {"http-equiv": "Content-Security-Policy", "content": CSP} in metas
    tags = {tag for tag, _ in scan.tags}
    assert not tags & {"script", "link", "iframe", "img", "object", "embed", "base", "form"}
    for tag, attrs in scan.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)  # no event handler anywhere
            if name in ("href", "src", "action", "xlink:href"):
                assert value and value.startswith("#"), (tag, name, value)  # in-page only
    assert "@import" not in page and "url(" not in page


def test_payloads_are_text_not_markup(sample):
    page = _html(sample)
    scan = _scan(page)
    text = "".join(scan.text)
    for p in PAYLOADS:
        assert p in text  # shown verbatim as text …
    ids = {attrs.get("id") for _, attrs in scan.tags}
    assert not ids & {"pwned", "pwned-link", "pwned-frame"}  # … never as elements
    assert "49" not in re.findall(r"\{\{ 7\*7 \}\}|49", text)  # no template evaluation


def test_every_section_and_the_summary(sample):
    page = _html(sample)
    for key in SECTIONS:
        assert f'id="sec-{key}"' in page
    s = sample.summary
    assert "不符合" in page and "51.4%" in page
    assert s.rate_formula in page  # the formula next to the number
    assert "重大风险隐患" in page and "存在 2 项未整改的高风险问题" in page
    for line in s.not_checked:  # cityguard's own sentences, said in the report's language
        assert messages.say(line, "zh") in page and messages.say(line, "zh") != line
    for cid in ("chart-classes", "chart-severity", "chart-risk-levels", "chart-trend"):
        assert f'id="{cid}"' in page
    assert "6.4.1.1" in page and "M1 日志外送至 SIEM" in page  # high risks with mitigation
    assert "李处长" in page and "已过期" in page  # waivers, the expired one marked
    assert "2024-11-10" in page  # the trend's earlier run


def test_gaps_never_look_compliant(sample):
    page = _html(sample)
    # an item 未测评 carries the gap style, never the compliant one
    row = re.search(r'<tr id="item-L3-CES1-04">.*?</tr>', page, re.S).group(0)
    assert 'class="badge v-not_assessed"' in row and "v-compliant" not in row
    method = page[page.index('id="sec-method"'):page.index('id="sec-results"')]
    assert "gapbox" in method and "s-pass" in method
    assert re.search(r'class="badge s-manual">6<', method)
    assert re.search(r'class="badge s-error">6<', method)


def test_english(sample):
    page = _html(sample, "en")
    assert '<html lang="en">' in page
    assert "Executive summary" in page and "Non-compliant" in page
    assert sample.summary.rate_formula_en in page
    assert "测评结论摘要" not in page


def test_unscored_run_still_renders(sample):
    page = _html(unscored(sample))
    assert "本次运行未进行评分" in page
    assert 'id="failed-checks"' in page  # the failed checks carry the evidence instead
    assert "PermitRootLogin yes" in page


def test_findings_are_capped_per_asset_and_overall(sample):
    from cityguard.render import _lists

    many = [Finding("nessus", "nessus", "host", f"10.9.{i // 250}.{i % 250}", str(i),
                    f"finding {i}", Severity.MEDIUM) for i in range(6000)]
    big = [Finding("nessus", "nessus", "host", "10.0.0.99", str(i), f"same host {i}",
                   Severity.HIGH) for i in range(500)]
    page = _html(replace(sample, findings=big + many))
    section = page[page.index('id="sec-findings"'):page.index('id="sec-remediation"')]
    assert section.count("<details") == _lists.ASSETS_INLINE
    per_asset = _lists.FINDINGS_INLINE // _lists.ASSETS_INLINE  # many assets share the budget
    assert f"另有 {500 - per_asset} 条未列出" in section  # the worst asset comes first
    rest = 6001 - _lists.ASSETS_INLINE
    assert f"另有 {rest} 个资产的 {rest} 条发现未在此列出" in section
    assert section.count('<tr><td><span class="badge sev') == per_asset + 199


def test_site_templates_override_the_built_in_ones(sample, tmp_path, monkeypatch):
    site = tmp_path / "site-reports" / "html"
    site.mkdir(parents=True)
    from cityguard.core.resources import builtin_dir

    builtin = builtin_dir("reports") / "html" / "style.css"
    (site / "style.css").write_text(builtin.read_text() + "\n/* SITE-STYLE-MARKER */\n")
    monkeypatch.setenv("CITYGUARD_REPORTS", str(tmp_path / "site-reports"))
    assert "SITE-STYLE-MARKER" in _html(sample)
    monkeypatch.delenv("CITYGUARD_REPORTS")
    assert "SITE-STYLE-MARKER" not in _html(build_sample())
