"""OWASP Dependency-Check JSON report (`{"reportSchema", "scanInfo", "dependencies": […]}`).

The same fields as the XML report (`packages[].id` purl, `vulnerabilities[]` with `cvssv2` /
`cvssv3` / `cvssv4`, `cwes`, `references`), so the same identity and tool family; dependencies
are streamed one at a time (reports of large monorepos run to hundreds of MB).
`suppressedVulnerabilities` are skipped, as in the XML importer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers.dependency_check import dependency_findings
from cityguard.ingest.util import first_of_each, head_text, iter_json, json_start
from cityguard.model import Finding


@register
class DependencyCheckJsonImporter:
    name: ClassVar[str] = "dependency_check_json"
    tool: ClassVar[str] = "dependency_check"
    description: ClassVar[str] = "OWASP Dependency-Check JSON report"

    def sniff(self, head: bytes) -> int:
        if json_start(head) != "{":
            return 0
        text = head_text(head)
        if '"reportSchema"' in text and ('"dependencies"' in text or '"scanInfo"' in text):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._deps(stream, source))

    def _deps(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for dep in iter_json(stream, source, "dependencies.item"):
            if isinstance(dep, Mapping):
                yield from dependency_findings(dep, self.name)
