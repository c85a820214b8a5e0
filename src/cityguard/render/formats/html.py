"""The HTML report: one self-contained file that opens offline.

Inline CSS and server-drawn SVG charts, no script, no font or image from outside, and a
Content-Security-Policy that says so (default-src 'none'). Autoescaped: whatever came from a
scanner, a host or a person shows as text. Templates: reports/html/ (site-overridable).
"""

from __future__ import annotations

from typing import BinaryIO, ClassVar

from cityguard.model import Assessment
from cityguard.render import _templates
from cityguard.render.base import register


@register
class HtmlRenderer:
    name: ClassVar[str] = "html"
    extension: ClassVar[str] = "html"
    filename: ClassVar[str] = "assessment.html"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "self-contained HTML report for managers (prints on A4)"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        text = _templates.assessment_report(assessment, "html", lang)
        out.write(text.encode("utf-8", "replace"))
