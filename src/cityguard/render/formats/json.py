"""The Assessment document itself (schemas/assessment.schema.json), for machines.

Language-neutral: both label languages are in the document (`title_zh` / `title_en` …), so
`--lang` does not change it. Strict JSON (no NaN), UTF-8, Chinese text unescaped; indented
unless the run is large (base.PRETTY_LIMIT).
"""

from __future__ import annotations

from typing import BinaryIO, ClassVar

from cityguard.model import Assessment
from cityguard.model.serialize import assessment_to_dict
from cityguard.render.base import json_bytes, register


@register
class JsonRenderer:
    name: ClassVar[str] = "json"
    extension: ClassVar[str] = "json"
    filename: ClassVar[str] = "assessment.json"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "the Assessment JSON document (validates against its schema)"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        out.write(json_bytes(assessment_to_dict(assessment), assessment))
