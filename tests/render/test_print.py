"""The example system's report on A4, laid out by the PDF engine (WeasyPrint) and by Chromium.

The body (sections 一–九) fits in 12 pages, no table cell that needs to wrap its text is
narrower than 12 characters of that text, no row is split across pages, table headers repeat,
pages are numbered, the cover carries the signature and seal block, Chinese is set in an
embedded CJK font that has every character used (no boxes), and nothing is fetched.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from cityguard import render
from cityguard.render import _templates, _textwidth, _view, pdfengine

BODY_PAGES = 12
MIN_CHARS = 12
BODY = ("sec-summary", "sec-scope", "sec-method", "sec-results", "sec-high_risks", "sec-risks",
        "sec-findings", "sec-remediation", "sec-waivers")


@pytest.fixture(scope="module")
def example_print(example_run):
    """(html, WeasyPrint document, PDF bytes) of the example's Chinese report."""
    a, _ = example_run
    html = _templates.render("html", "assessment.html.j2", "zh", v=_view.build(a, "zh"))
    doc = pdfengine.render_document(html)
    return html, doc, bytes(doc.write_pdf())


def _walk(box, depth=0):
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child, depth + 1)


def _first_page(doc, anchor: str) -> int:
    return next(i for i, p in enumerate(doc.pages) if anchor in p.anchors)


def _text(box) -> str:
    return "".join(getattr(b, "text", "") for b in _walk(box) if type(b).__name__ == "TextBox")


def test_body_fits_in_twelve_a4_pages(example_print):
    _, doc, pdf = example_print
    first = _first_page(doc, "sec-summary")
    # section 九 ends where 十 (the trend) begins, at the latest
    last = _first_page(doc, "sec-trend")
    assert last - first + 1 <= BODY_PAGES, (first, last)
    assert [_first_page(doc, s) for s in BODY] == sorted(_first_page(doc, s) for s in BODY)
    assert _first_page(doc, "annex-items") > last  # per-item detail is an annex
    page = doc.pages[0]
    assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (210, 297)  # A4
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(doc.pages)


def test_no_wrapping_cell_narrower_than_twelve_characters(example_print):
    _, doc, _ = example_print
    narrow = []
    for n, page in enumerate(doc.pages):
        for box in _walk(page._page_box):
            if type(box).__name__ != "TableCellBox" or box.element_tag != "td":
                continue
            lines = [b for b in _walk(box) if type(b).__name__ == "LineBox"]
            parents = {}
            for b in _walk(box):
                kids = [c for c in getattr(b, "children", ()) if type(c).__name__ == "LineBox"]
                if kids:
                    parents[id(b)] = len(kids)
            if not lines or max(parents.values(), default=0) < 2:
                continue  # its text fits on one line: any width is legible
            text = _text(box).strip()
            size = box.style["font_size"]
            per_char = sum(_textwidth.char_em(c) for c in text) / max(1, len(text)) * size
            if box.width < MIN_CHARS * per_char * 0.98:
                narrow.append((n + 1, round(box.width / per_char, 1), text[:60]))
    assert not narrow, narrow[:20]


def _rows(box, header=False):
    """(is a header row, row box) of every table row under `box`."""
    kind = type(box).__name__
    if kind == "TableRowBox":
        yield header, box
        return
    header = header or (kind == "TableRowGroupBox" and getattr(box, "is_header", False))
    for child in getattr(box, "children", ()):
        yield from _rows(child, header)


def test_rows_are_never_split_and_headers_repeat(example_print):
    _, doc, _ = example_print
    body: dict[int, set[int]] = {}
    head: dict[int, set[int]] = {}
    for n, page in enumerate(doc.pages):
        for is_header, row in _rows(page._page_box):
            (head if is_header else body).setdefault(id(row.element), set()).add(n)
    split = [(sorted(p), _text_of(doc, e)) for e, p in body.items() if len(p) > 1]
    assert not split, split[:5]
    assert any(len(p) > 1 for p in head.values())  # a long table repeats its header


def _text_of(doc, element_id: int) -> str:
    for page in doc.pages:
        for _, row in _rows(page._page_box):
            if id(row.element) == element_id:
                return _text(row)[:80]
    return ""


def test_pages_numbered_cover_signed_nothing_fetched(example_print):
    html, doc, pdf = example_print
    from pypdf import PdfReader

    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]
    total = len(pages)
    assert f"第 2 页 / 共 {total} 页" in pages[1]
    assert f"第 {total} 页 / 共 {total} 页" in pages[-1]
    assert "页" not in pages[0].split("签字与盖章")[0][-5:]  # the cover has no number
    for role in ("测评人", "审核人", "批准人", "测评机构（盖章）"):
        assert role in pages[0]
    text = "".join(pages).replace("\n", "")
    assert "\ufffd" not in text
    assert "/work/" not in text and "/tmp/" not in text  # no path of this machine
    fetched: list[str] = []
    cover = html[:html.index('<nav class="toc"')]  # the head and cover: quick to lay out
    planted = cover + ('<img src="http://127.0.0.1:9/x.png">'
                       '<link rel="stylesheet" href="file:///etc/passwd"></main></body></html>')
    planted_pdf = pdfengine.html_to_pdf(planted, url_fetcher=pdfengine.data_only_fetcher(
        fetched))
    assert planted_pdf.startswith(b"%PDF-")  # rendered, without them
    assert "http://127.0.0.1:9/x.png" in fetched and "file:///etc/passwd" in fetched
    assert b"root:x:0:0" not in planted_pdf


def _font_file(family: str) -> Path | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", "--", family], capture_output=True,
                             text=True, timeout=30, check=False).stdout
    except FileNotFoundError:
        return None
    return Path(out) if out and Path(out).is_file() else None


def test_chinese_in_an_embedded_cjk_font_with_every_glyph(example_print):
    html, _, pdf = example_print
    from fontTools.ttLib import TTCollection, TTFont
    from pypdf import PdfReader

    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for f in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(f.get_object().get("/BaseFont")))
    cjk = [f for f in fonts if re.search(r"WenQuanYi|Noto.*CJK|Source.*Han", f)]
    assert cjk, fonts
    family = "WenQuanYi Micro Hei" if "WenQuanYi" in cjk[0] else "Noto Sans CJK SC"
    path = _font_file(family)
    if path is None:
        pytest.skip("fc-match cannot name the CJK font file")
    ttf = TTCollection(str(path)).fonts[0] if path.suffix == ".ttc" else TTFont(str(path))
    cmap = ttf.getBestCmap()
    used = {c for c in re.sub(r"<[^>]+>", "", html) if "\u3400" <= c <= "\u9fff"}
    missing = sorted(c for c in used if ord(c) not in cmap)
    assert not missing, missing  # a character no font has would print as a box


def test_pdf_renderer_writes_the_same_report(sample):
    from pypdf import PdfReader

    data = render.render_bytes(sample, "pdf", lang="en")
    assert data.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "MLPS 2.0 Assessment Report" in text and "Signatures and seal" in text
    assert "Page 2 of" in text


@pytest.mark.browser
def test_chromium_prints_the_body_in_twelve_pages(chromium, example_run, tmp_path):
    """The HTML as a person prints it from a browser: Chromium's own A4 layout."""
    from pypdf import PdfReader

    a, _ = example_run
    page = tmp_path / "assessment.html"
    page.write_bytes(render.render_bytes(a, "html"))
    out = tmp_path / "print.pdf"
    p = chromium(page, f"--print-to-pdf={out}", "--no-pdf-header-footer")
    assert p.returncode == 0 and out.is_file(), p.stderr[-2000:]
    texts = [(pg.extract_text() or "").replace(" ", "") for pg in PdfReader(str(out)).pages]

    def first(heading: str) -> int:
        return next(i for i, t in enumerate(texts) if heading in t)

    start, end = first("一、测评结论摘要"), first("十、历次测评趋势")
    assert end - start + 1 <= BODY_PAGES, (start, end, len(texts))
    assert first("测评项详细结果") > end  # the annex heading


def _closed_details_page(repo_root: Path) -> str:
    css = (repo_root / "reports" / "html" / "style.css").read_text(encoding="utf-8")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head>"
            "<body><details class='asset-findings'><summary>10.0.0.9</summary>"
            "<p>COLLAPSED-FINDING-ROW</p></details></body></html>")


def test_collapsed_sections_print_open_in_the_pdf(repo_root):
    from pypdf import PdfReader

    pdf = pdfengine.html_to_pdf(_closed_details_page(repo_root))
    assert "COLLAPSED-FINDING-ROW" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.browser
def test_collapsed_sections_print_open_in_chromium(chromium, repo_root, tmp_path):
    from pypdf import PdfReader

    page = tmp_path / "details.html"
    page.write_text(_closed_details_page(repo_root), encoding="utf-8")
    out = tmp_path / "details.pdf"
    p = chromium(page, f"--print-to-pdf={out}", "--no-pdf-header-footer")
    assert p.returncode == 0 and out.is_file(), p.stderr[-2000:]
    assert "COLLAPSED-FINDING-ROW" in PdfReader(str(out)).pages[0].extract_text()
