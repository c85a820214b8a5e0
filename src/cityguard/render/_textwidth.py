"""How wide a label is, so the SVG charts lay out from text width instead of a fixed column.

Advance widths of printable ASCII in em (hundredths), the larger of DejaVu Sans and
WenQuanYi Micro Hei — the fonts Debian's Chromium and WeasyPrint fall back to — measured
from the font files with fontTools (`hmtx` / unitsPerEm). Wide and full-width characters
(CJK, full-width punctuation) are 1 em. Anything else counts as a wide Latin letter, so an
estimate errs on the side of room, never of clipping.
"""

from __future__ import annotations

import unicodedata

_ASCII = (  # U+0020 … U+007E
    32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 55, 84, 32, 36, 32, 37, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 34, 29, 66, 56, 87,
    75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 37, 39, 84, 50, 58, 61, 63, 55, 63,
    62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64,
    55, 64, 84,
)
_OTHER = 0.7  # Latin-1 letters, Greek, symbols not in the table
BOLD = 1.08  # bold text is about this much wider


def char_em(ch: str) -> float:
    code = ord(ch)
    if 32 <= code < 127:
        return _ASCII[code - 32] / 100
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if unicodedata.combining(ch):
        return 0.0
    return _OTHER


def text_width(text: object, size: float = 11.0, *, bold: bool = False) -> float:
    """Width in px (or any unit `size` is in) of one line of `text` at font size `size`."""
    em = sum(char_em(ch) for ch in str(text))
    return em * size * (BOLD if bold else 1.0)


def fit(text: object, width: float, size: float = 11.0) -> str:
    """`text` cut with an ellipsis so it fits `width` (for labels that cannot wrap)."""
    s = str(text)
    if text_width(s, size) <= width:
        return s
    budget = width - text_width("…", size)
    out = ""
    for ch in s:
        if text_width(out + ch, size) > budget:
            break
        out += ch
    return out + "…"
