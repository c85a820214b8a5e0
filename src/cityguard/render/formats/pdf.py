"""The assessment report as a PDF to sign: the HTML report laid out on A4 by WeasyPrint.

Same content as the HTML (one template, reports/html/), printed with its print CSS: a cover
with the signature and seal block (测评人 / 审核人 / 批准人), page numbers, table headers
repeated on every page, rows never split, the per-item detail as annexes. Fonts come from the
system (Debian fonts-wqy-microhei or fonts-noto-cjk); nothing is fetched (render/pdfengine.py).
"""

from __future__ import annotations

from typing import BinaryIO, ClassVar

from cityguard.model import Assessment
from cityguard.render import _templates, pdfengine
from cityguard.render.base import register


@register
class PdfRenderer:
    name: ClassVar[str] = "pdf"
    extension: ClassVar[str] = "pdf"
    filename: ClassVar[str] = "assessment.pdf"
    binary: ClassVar[bool] = True
    description: ClassVar[str] = "the HTML report as an A4 PDF with a signature and seal block"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        html = _templates.assessment_report(assessment, "html", lang)
        out.write(pdfengine.html_to_pdf(html))
