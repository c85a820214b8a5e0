"""The HTML report on a phone (390 px wide) in headless Chromium: the page itself never
scrolls sideways; wide tables scroll inside themselves; charts scale to the screen.

The report forbids scripts (its Content-Security-Policy); the test measures a copy of it with
that policy removed and a measuring script added, framed 390 px wide in a harness page."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from cityguard import render
from cityguard.model.serialize import assessment_from_dict

PHONE = 390
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MEASURE = """<script>
window.addEventListener('load', () => {
  const vw = document.documentElement.clientWidth, out = {vw, page:
    document.documentElement.scrollWidth, tables: [], charts: []};
  for (const t of document.querySelectorAll('table')) {
    if (!t.offsetParent) continue;  // hidden (the print-only signature block)
    out.tables.push([Math.round(t.getBoundingClientRect().right), t.scrollWidth, t.clientWidth]);
  }
  for (const s of document.querySelectorAll('svg.chart'))
    out.charts.push(Math.round(s.getBoundingClientRect().right));
  parent.postMessage(JSON.stringify(out), '*');
});
</script>"""
HARNESS = f"""<!doctype html><html><body style="margin:0">
<iframe src="report.html" width="{PHONE}" height="844" style="border:0"></iframe>
<script>window.addEventListener('message', e => {{ const p = document.createElement('pre');
p.id = 'measure'; p.textContent = e.data; document.body.appendChild(p); }});</script>
</body></html>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("headless Chromium not installed (.ci/run installs the Debian package)")
    return found


def test_the_report_fits_a_phone(example_outputs, tmp_path):
    chromium = _chromium()
    doc = json.loads((example_outputs / "assessment.json").read_text(encoding="utf-8"))
    page = render.render_bytes(assessment_from_dict(doc), "html", lang="zh").decode("utf-8")
    assert "Content-Security-Policy" in page
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    (tmp_path / "report.html").write_text(page.replace("</body>", MEASURE + "</body>"),
                                          encoding="utf-8")
    (tmp_path / "harness.html").write_text(HARNESS, encoding="utf-8")
    p = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                        "--window-size=1000,900", "--dump-dom", "--virtual-time-budget=5000",
                        (tmp_path / "harness.html").as_uri()],
                       capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="measure">([^<]*)</pre>', p.stdout)
    assert found, p.stderr[-2000:]
    m = json.loads(html.unescape(found.group(1)))
    assert m["vw"] <= PHONE
    assert m["page"] <= m["vw"]  # nothing pushes the page sideways
    assert m["charts"] and max(m["charts"]) <= m["vw"]
    assert all(right <= m["vw"] for right, _, _ in m["tables"])
    wide = [t for t in m["tables"] if t[1] > t[2]]
    assert wide  # the wide ones (items, risks, findings) scroll inside themselves
