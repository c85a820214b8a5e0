"""Charts as inline SVG, drawn on the server: no script, no outside file, legible in print.

Every bar and point carries its number as text, and series differ by shade and by label, so a
black-and-white printout still reads. Labels are escaped here (they may be department names
typed by anyone).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 220
PAD_L, PAD_R, PAD_T, PAD_B = 40, 24, 24, 40


def _svg(body: list[str], title: str, height: int = HEIGHT) -> str:
    return (f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def _legend(series: Sequence[tuple[str, str]], y: float) -> list[str]:
    out, x = [], PAD_L
    for label, color in series:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}" '
                   f'stroke="#000" stroke-width="0.5"/><text x="{x + 14}" y="{y}" '
                   f'font-size="11">{escape(label)}</text>')
        x += 24 + 12 * len(label)
    return out


def stacked_bars(rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[tuple[str, str]],
                 title: str) -> str:
    """One bar per row, stacked by series (label, colour); the total above each bar."""
    height = HEIGHT
    plot_h = height - PAD_T - PAD_B
    top = max([sum(v) for _, v in rows] + [1])
    slot = (WIDTH - PAD_L - PAD_R) / max(len(rows), 1)
    body = [f'<line x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{WIDTH - PAD_R}" '
            f'y2="{PAD_T + plot_h}" stroke="#333"/>']
    for i, (label, values) in enumerate(rows):
        x = PAD_L + i * slot + slot * 0.2
        w = slot * 0.6
        y = PAD_T + plot_h
        for (name, color), v in zip(series, values, strict=False):
            if not v:
                continue
            h = plot_h * v / top
            y -= h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                        f'fill="{color}" stroke="#000" stroke-width="0.5">'
                        f"<title>{escape(label)} · {escape(name)}: {v}</title></rect>")
            if h >= 13:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + h / 2 + 4:.1f}" '
                            f'font-size="11" text-anchor="middle" fill="#fff">{v}</text>')
        body.append(f'<text x="{x + w / 2:.1f}" y="{y - 3:.1f}" font-size="11" '
                    f'text-anchor="middle">{sum(values)}</text>')
        body.append(f'<text x="{x + w / 2:.1f}" y="{PAD_T + plot_h + 14}" font-size="11" '
                    f'text-anchor="middle">{escape(label)}</text>')
    body += _legend(series, height - 6)
    return _svg(body, title, height)


def line(points: Sequence[tuple[str, float | None]], title: str, *, percent: bool = False,
         color: str = "#1f4e8c") -> str:
    """A line over months (percent: values 0-100); a month without a value leaves a gap."""
    plot_h = HEIGHT - PAD_T - PAD_B
    values = [v for _, v in points if v is not None]
    top = 100.0 if percent else max([*values, 1])
    step = (WIDTH - PAD_L - PAD_R) / max(len(points) - 1, 1)
    body = [f'<line x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{WIDTH - PAD_R}" '
            f'y2="{PAD_T + plot_h}" stroke="#333"/>']
    path: list[str] = []
    for i, (label, v) in enumerate(points):
        x = PAD_L + i * step
        body.append(f'<text x="{x:.1f}" y="{PAD_T + plot_h + 14}" font-size="10" '
                    f'text-anchor="middle">{escape(label[2:] if len(label) == 7 else label)}'
                    "</text>")
        if v is None:
            if len(path) > 1:
                body.append(f'<polyline points="{" ".join(path)}" fill="none" '
                            f'stroke="{color}" stroke-width="2"/>')
            path = []
            continue
        y = PAD_T + plot_h - plot_h * (v / top if top else 0)
        path.append(f"{x:.1f},{y:.1f}")
        shown = f"{v:.0f}%" if percent else f"{v:g}"
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>'
                    f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="10" '
                    f'text-anchor="middle">{shown}</text>')
    if len(path) > 1:
        body.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="{color}" '
                    'stroke-width="2"/>')
    return _svg(body, title)


def paired_bars(points: Sequence[tuple[str, int, int]], series: Sequence[tuple[str, str]],
                title: str) -> str:
    """Two bars per month (opened, fixed), each with its number."""
    plot_h = HEIGHT - PAD_T - PAD_B
    top = max([max(a, b) for _, a, b in points] + [1])
    slot = (WIDTH - PAD_L - PAD_R) / max(len(points), 1)
    body = [f'<line x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{WIDTH - PAD_R}" '
            f'y2="{PAD_T + plot_h}" stroke="#333"/>']
    for i, (label, *values) in enumerate(points):
        for j, ((_, color), v) in enumerate(zip(series, values, strict=False)):
            w = slot * 0.35
            x = PAD_L + i * slot + slot * 0.12 + j * w
            h = plot_h * v / top
            y = PAD_T + plot_h - h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                        f'fill="{color}" stroke="#000" stroke-width="0.5"/>')
            if v:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y - 2:.1f}" font-size="9" '
                            f'text-anchor="middle">{v}</text>')
        body.append(f'<text x="{PAD_L + i * slot + slot / 2:.1f}" y="{PAD_T + plot_h + 14}" '
                    f'font-size="10" text-anchor="middle">{escape(label[2:])}</text>')
    body += _legend(series, HEIGHT - 6)
    return _svg(body, title)
