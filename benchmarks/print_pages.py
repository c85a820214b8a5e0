"""A4 print of the example system's report: pages, body pages, time; WeasyPrint vs Chromium.

Usage: python benchmarks/print_pages.py [--lang zh] [--manifest examples/smart-city-portal]
Runs `cityguard assess` on the example (JSON only, no store), renders the HTML report, lays it
out with cityguard's PDF engine (render/pdfengine.py, WeasyPrint) and prints total pages,
body pages (sections 一–九, target ≤ 12), annex pages, the wall time and size of the PDF; then
prints the same HTML with headless Chromium (`--print-to-pdf`, the peer, when installed) and
the time ratio of the two. Exit status 1 when the body exceeds 12 pages.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cityguard.model.serialize import assessment_from_dict
from cityguard.render import _templates, _view, pdfengine

ROOT = Path(__file__).resolve().parents[1]
BODY_TARGET = 12


def _assess(manifest_dir: Path, out: Path) -> dict:
    p = subprocess.run([sys.executable, "-m", "cityguard", "assess", "--format", "json",
                        "--output", str(out), "--no-store"], cwd=manifest_dir,
                       capture_output=True, text=True, check=False)
    if p.returncode not in (0, 1):
        sys.exit(f"assess failed: {p.stderr.strip()[-500:]}")
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


def _chromium(html: Path, pdf: Path, profile: Path) -> float | None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        return None
    t0 = time.perf_counter()
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    f"--user-data-dir={profile}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.as_uri()], capture_output=True, timeout=300,
                   check=False)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="zh", choices=("zh", "en"))
    ap.add_argument("--manifest", default=str(ROOT / "examples" / "smart-city-portal"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        a = assessment_from_dict(_assess(Path(args.manifest), tmp / "run"))
        html = _templates.render("html", "assessment.html.j2", args.lang,
                                 v=_view.build(a, args.lang))
        t0 = time.perf_counter()
        doc = pdfengine.render_document(html)
        pdf = doc.write_pdf()
        weasy_s = time.perf_counter() - t0

        def first(anchor: str) -> int:
            return next(i for i, p in enumerate(doc.pages) if anchor in p.anchors)

        body = first("sec-trend") - first("sec-summary") + 1
        annex = len(doc.pages) - first("annex-items")
        print(f"pdf engine (WeasyPrint): {len(doc.pages)} pages (cover 1, body 一–九 {body}, "
              f"annexes {annex}), {weasy_s:.1f} s, {len(pdf) / 1024:.0f} KiB")
        page = tmp / "assessment.html"
        page.write_text(html, encoding="utf-8")
        chrome_pdf = tmp / "chromium.pdf"
        chrome_s = _chromium(page, chrome_pdf, tmp / "profile")
        if chrome_s is not None and chrome_pdf.is_file():
            from pypdf import PdfReader

            pages = [(p.extract_text() or "").replace(" ", "")
                     for p in PdfReader(io.BytesIO(chrome_pdf.read_bytes())).pages]
            start = next(i for i, t in enumerate(pages) if "一、测评结论摘要" in t
                         or "1.Executivesummary" in t)
            end = next(i for i, t in enumerate(pages) if "十、历次测评趋势" in t
                       or "10.Trendacrossruns" in t)
            print(f"peer (Chromium --print-to-pdf): {len(pages)} pages (body {end - start + 1}), "
                  f"{chrome_s:.1f} s; WeasyPrint / Chromium time ratio "
                  f"{weasy_s / chrome_s:.2f}")
        else:
            print("peer (Chromium): not installed")
    return 0 if body <= BODY_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
