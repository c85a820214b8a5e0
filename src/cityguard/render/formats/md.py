"""The Markdown report: the HTML report's content as plain text, for wikis and merge requests.

Registry name `md` (== module stem). Values are escaped for Markdown and HTML (a wiki that
renders inline HTML still shows a scanner's `<script>` as text). Templates: reports/md/.
"""

from __future__ import annotations

from typing import BinaryIO, ClassVar

from cityguard.model import Assessment
from cityguard.render import _templates
from cityguard.render.base import register


@register
class MarkdownRenderer:
    name: ClassVar[str] = "md"
    extension: ClassVar[str] = "md"
    filename: ClassVar[str] = "assessment.md"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "Markdown report (same content as the HTML) for wikis and MRs"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        text = _templates.assessment_report(assessment, "md", lang)
        out.write(text.encode("utf-8", "replace"))
