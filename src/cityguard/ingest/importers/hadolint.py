"""Hadolint JSON (`hadolint -f json Dockerfile…`): a list of {file, line, column, code, level,
message}; `[]` is "nothing found".

Identity: tool `hadolint`, asset "." (the scanned tree), rule = the code (DL… hadolint's own,
SC… ShellCheck's inside RUN), location `file:line` (Windows paths normalised). The same code
at one line twice (two columns) is one finding.
Severity: error → high, warning → medium, info → low, style → info (hadolint's `--failure-
threshold` order; "style" is formatting, not a weakness).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import has_keys, need_json, rewind, rewindable
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import LINT_LEVELS, file_location, first_line, norm_path, to_int
from cityguard.model import Finding, Severity

_WIKI = "https://github.com/hadolint/hadolint/wiki/"


@register
class Hadolint:
    name = "hadolint"
    tool = "hadolint"
    description = "Hadolint JSON (Dockerfile linter)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("[") and has_keys(text, "code", "level", "file", "line") and (
            '"DL' in text or '"SC' in text
        ):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "hadolint")
        if first != "[":
            raise DataError(source, "not a hadolint report (expected a JSON list of results)")
        self.scanned = {(self.tool, ".")}
        yield from first_of_each(self._results(stream, source))

    def _results(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for r in iter_json(rewind(stream), source, "item"):
            if not isinstance(r, dict):
                raise DataError(source, "not a hadolint report (a result is not an object)")
            yield self._finding(r)

    def _finding(self, r: dict[str, Any]) -> Finding:
        code = str(r.get("code") or "")
        path = norm_path(str(r.get("file") or ""))
        line = to_int(r.get("line"))
        line = line if line and line > 0 else None
        level = str(r.get("level") or "")
        message = str(r.get("message") or "")
        wiki = _WIKI + code if code.startswith(("DL", "SC")) else ""
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=code,
            title=f"{code}: {first_line(message)}" if message else code,
            severity=LINT_LEVELS.get(level.lower(), Severity.INFO),  # style: info
            severity_raw=level,
            description=message,
            location=file_location(path, line),
            evidence=f"{path}:{line}" + (f":{r.get('column')}" if r.get("column") else "")
            if line else path,
            references=(wiki,) if wiki else (),
            tags=rule_tags(self.tool, code, ("config",)),
            extra={"line": line, "column": r.get("column")},
        )
