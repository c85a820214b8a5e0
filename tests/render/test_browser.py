"""The HTML report in a real headless Chromium: nothing runs, the report shows, a screenshot.

Chromium is started with the flags of a closed network (no sandbox as root in CI, no GPU,
no QUIC, no background networking, a throw-away profile). `--virtual-time-budget` lets any
timer, onload or onerror handler a payload might have planted fire before the DOM is dumped.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from render_sample import PAYLOADS, build_sample

from cityguard import render

pytestmark = pytest.mark.browser
REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "examples" / "smart-city-portal" / "cityguard.yaml"


def _dom(chromium, page: Path) -> str:
    p = chromium(page, "--dump-dom", "--virtual-time-budget=3000")
    assert p.returncode == 0, p.stderr[-2000:]
    assert "<html" in p.stdout
    return p.stdout


def _title(dom: str) -> str:
    return re.search(r"<title>(.*?)</title>", dom, re.S).group(1)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _assert_nothing_ran(dom: str, expected_title: str) -> None:
    assert _title(dom) == expected_title  # every payload would have changed the title
    parsed = _Elements()
    parsed.feed(dom)
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"script", "iframe", "img", "textarea"}  # no payload became markup
    for tag, attrs in parsed.tags:
        if tag == "a":
            assert (attrs.get("href") or "").startswith("#"), attrs  # only the contents list
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        assert attrs.get("id") not in ("pwned", "pwned-link", "pwned-frame"), (tag, attrs)
    # the payloads are there, as text (serialised with &lt; … in the dump)
    assert "&lt;script&gt;document.title='PWNED-SCRIPT'" in dom
    assert "&lt;img src=x onerror=\"document.title='PWNED-IMG'\"&gt;" in dom
    assert "&lt;/textarea&gt;&lt;svg onload=" in dom


def test_payloads_do_not_run_in_chromium(chromium, tmp_path):
    a = build_sample()
    page = tmp_path / "assessment.html"
    page.write_bytes(render.render_bytes(a, "html"))
    dom = _dom(chromium, page)
    _assert_nothing_ran(dom, f"网络安全等级保护测评报告 · {a.system.name}")


def test_escaping_alone_stops_the_payloads(chromium, tmp_path):
    """The same page without its Content-Security-Policy: escaping must hold on its own."""
    a = build_sample()
    html = render.render_bytes(a, "html", lang="en").decode("utf-8")
    stripped = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    assert stripped != html
    page = tmp_path / "no-csp.html"
    page.write_text(stripped, encoding="utf-8")
    _assert_nothing_ran(_dom(chromium, page), f"MLPS 2.0 Assessment Report · {a.system.name}")
    for p in PAYLOADS[:2]:
        assert p not in stripped  # raw markup never reaches the file


def test_report_shows_conclusion_and_charts_with_screenshot(chromium, tmp_path):
    a = build_sample()
    page = tmp_path / "assessment.html"
    page.write_bytes(render.render_bytes(a, "html"))
    png = tmp_path / "assessment.png"
    p = chromium(page, f"--screenshot={png}", "--window-size=1280,2000")
    assert p.returncode == 0, p.stderr[-2000:]
    assert _png_size(png) == (1280, 2000)
    assert png.stat().st_size > 50_000  # a rendered page, not a blank one
    dom = _dom(chromium, page)
    kpi = re.search(r'id="kpi-conclusion".*?</div>\s*</div>', dom, re.S).group(0)
    assert "不符合" in kpi
    assert "51.4%" in dom
    for chart in ("chart-classes", "chart-severity", "chart-risk-levels", "chart-trend"):
        svg = re.search(rf'<svg[^>]*id="{chart}".*?</svg>', dom, re.S)
        assert svg and ("<rect" in svg.group(0) or "<polyline" in svg.group(0)), chart


def test_example_system_report_in_chromium(chromium, tmp_path, cityguard_proc):
    """The examples/ system through the real pipeline: assess → JSON → report → Chromium."""
    if not EXAMPLE.is_file():
        pytest.skip("examples/smart-city-portal is not in this checkout")
    out = tmp_path / "run"
    p = cityguard_proc("assess", "--system", str(EXAMPLE), "--format", "json", "--output",
                       str(out), "--lang", "zh", cwd=tmp_path)
    assert p.returncode in (0, 1), p.stderr[-2000:]
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    if doc["system"]["name"] != "智慧城市门户":
        pytest.skip("cityguard assess does not read the system manifest (--system) yet")
    r = cityguard_proc("report", str(out / "assessment.json"), "--format", "html",
                       "--output", str(tmp_path / "report.html"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    png = tmp_path / "example.png"
    shot = chromium(tmp_path / "report.html", f"--screenshot={png}", "--window-size=1280,2000")
    assert shot.returncode == 0 and _png_size(png) == (1280, 2000)
    dom = _dom(chromium, tmp_path / "report.html")
    assert "智慧城市门户" in dom
    assert doc["summary"], "the example system is scored"
    kpi = re.search(r'id="kpi-conclusion".*?</div>\s*</div>', dom, re.S).group(0)
    assert doc["summary"]["conclusion_zh"] in kpi
    assert f'{doc["summary"]["compliance_rate"]:.1f}%' in dom
    for chart in ("chart-classes", "chart-severity", "chart-risk-levels"):
        assert re.search(rf'<svg[^>]*id="{chart}".*?<rect', dom, re.S), chart
    assert dom.count('<details class="class"') == len(doc["classes"])


def test_english_report_in_chromium(chromium, tmp_path):
    a = replace(build_sample(), history=[])
    page = tmp_path / "en.html"
    page.write_bytes(render.render_bytes(a, "html", lang="en"))
    dom = _dom(chromium, page)
    assert "Non-compliant" in dom and "Executive summary" in dom
    assert 'id="chart-trend"' not in dom  # no earlier runs: no trend chart
