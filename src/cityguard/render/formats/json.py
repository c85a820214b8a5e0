"""The Assessment document itself (schemas/assessment.schema.json), for machines.

Language-neutral: both label languages are in the document (`title_zh` / `title_en` …), so
`--lang` does not change it. Strict JSON (no NaN), UTF-8, Chinese text unescaped; indented
unless the run is large (base.PRETTY_LIMIT). Results, items and findings are written one by
one (render/_jsonstream.py): memory stays flat however many findings a run has.
"""

from __future__ import annotations

from dataclasses import replace
from typing import BinaryIO, ClassVar

from cityguard.model import Assessment
from cityguard.model.serialize import assessment_to_dict, finding_to_dict, plain
from cityguard.render._jsonstream import Stream, write_json
from cityguard.render.base import is_large, register


@register
class JsonRenderer:
    name: ClassVar[str] = "json"
    extension: ClassVar[str] = "json"
    filename: ClassVar[str] = "assessment.json"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "the Assessment JSON document (validates against its schema)"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        a = assessment
        doc = assessment_to_dict(replace(a, results=[], items=[], findings=[]))
        doc["results"] = Stream(a.results, lambda r: r.to_dict())
        doc["items"] = Stream(a.items, plain)
        doc["findings"] = Stream(a.findings, finding_to_dict)
        write_json(doc, out, indent=None if is_large(a) else 2)
