"""The renderer protocol and its registry.

A renderer turns a finished Assessment into bytes of one format. It computes nothing the
Assessment does not already hold (DESIGN.md): it may sort, group, page and label, never score.
Registry key == module stem == `name` (html, xlsx, md, json, sarif, junit, oscal, csv_items,
csv_findings).
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO, ClassVar, Protocol

from cityguard.core.registry import Registry
from cityguard.model import Assessment

LANGS = ("zh", "en")
#: above this many results + findings, JSON outputs are compact: indenting forces Python's
#: pure-Python encoder (about 5x slower) on documents nobody reads by eye. A host has ~200
#: results: a fleet of 20 hosts (4,040 results, 14 MB indented) took 0.65 s to indent and
#: 0.14 s compact, a tenth of the whole run (issue 25)
PRETTY_LIMIT = 2_000


class Renderer(Protocol):
    name: ClassVar[str]  # registry key == module stem
    extension: ClassVar[str]  # "html", "xlsx", "sarif", "junit.xml", "oscal.json" …
    filename: ClassVar[str]  # default file name in an output directory
    binary: ClassVar[bool]  # True when the bytes are not UTF-8 text (xlsx)
    description: ClassVar[str]

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        """Write the whole document to `out`; never prints, never exits."""
        ...


RENDERERS: Registry[type[Renderer]] = Registry("report format")


def register(cls: type[Renderer]) -> type[Renderer]:
    """Class decorator: add a renderer to RENDERERS (refuses a missing or duplicate name)."""
    RENDERERS.register(cls)
    return cls


def is_large(assessment: Assessment) -> bool:
    """Too many results and findings to indent (PRETTY_LIMIT): written compact, streamed."""
    return len(assessment.findings) + len(assessment.results) > PRETTY_LIMIT


def json_bytes(doc: Any, assessment: Assessment, indent: int = 2) -> bytes:
    """Strict UTF-8 JSON (no NaN); indented unless the run is large (PRETTY_LIMIT)."""
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False,
                      indent=None if is_large(assessment) else indent)
    return text.encode("utf-8", "replace") + b"\n"
