"""Chart labels laid out from measured text width: nothing clipped, nothing overlapping."""

from __future__ import annotations

import re
from dataclasses import replace

from render_sample import build_sample

from cityguard import render
from cityguard.model import GroupScore
from cityguard.render._textwidth import text_width

FS = 11  # the charts' font size (reports/html/_charts.html.j2)


def _svg(page: str, chart: str) -> tuple[float, str]:
    m = re.search(rf'<svg class="chart" id="{chart}" viewBox="0 0 ([\d.]+) [\d.]+".*?</svg>',
                  page, re.S)
    assert m, chart
    return float(m.group(1)), m.group(0)


def _texts(svg: str) -> list[tuple[float, float, str, str, float]]:
    """(x, y, anchor, text, size) of every label."""
    out = []
    for m in re.finditer(r'<text x="([\d.-]+)" y="([\d.-]+)"([^>]*)>([^<]*)</text>', svg):
        attrs = m.group(3)
        anchor = re.search(r'text-anchor="(\w+)"', attrs)
        size = 9 if 'class="small"' in attrs else FS
        out.append((float(m.group(1)), float(m.group(2)), anchor.group(1) if anchor else "start",
                    m.group(4), size))
    return out


def _box(x, y, anchor, text, size):
    w = text_width(text, size)
    left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return left, y - size, left + w, y


def test_text_width_counts_cjk_as_one_em_and_latin_narrower():
    assert text_width("安全物理环境", 10) == 60
    assert 30 < text_width("Physical", 10) < 60
    assert text_width("iiii", 10) < text_width("MMMM", 10)


def test_no_label_is_clipped_in_either_language():
    long = GroupScore("XYZ", "一个名字很长很长的安全类别", "Physical and environmental security "
                      "of the data centre", 75.0, 1, {}, "")
    a = build_sample()
    a = replace(a, classes=[*a.classes, long])
    for lang in ("zh", "en"):
        page = render.render_bytes(a, "html", lang=lang).decode("utf-8")
        for chart in ("chart-classes", "chart-severity", "chart-risk-levels", "chart-trend"):
            width, svg = _svg(page, chart)
            for x, y, anchor, text, size in _texts(svg):
                left, _, right, _ = _box(x, y, anchor, text, size)
                assert left >= -0.5 and right <= width + 0.5, (lang, chart, text, left, right)


def test_trend_labels_do_not_overlap_the_axis_or_each_other():
    a = build_sample()
    full = [{**h, "compliance_rate": 100.0} for h in a.history]  # points on the 100 line
    a = replace(a, history=full, summary=replace(a.summary, compliance_rate=99.5))
    for lang in ("zh", "en"):
        page = render.render_bytes(a, "html", lang=lang).decode("utf-8")
        _, svg = _svg(page, "chart-trend")
        boxes = [_box(*t) for t in _texts(svg)]
        for i, b1 in enumerate(boxes):
            for b2 in boxes[i + 1:]:
                overlap = b1[0] < b2[2] and b2[0] < b1[2] and b1[1] < b2[3] and b2[1] < b1[3]
                assert not overlap, (lang, b1, b2)
