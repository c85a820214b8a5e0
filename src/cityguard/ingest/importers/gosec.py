"""gosec JSON (`gosec -fmt=json ./...`): {"Golang errors", "Issues": [...], "Stats"}.

One finding per (rule, file, first line): identity tool `gosec`, asset "." (the scanned
module tree), rule = gosec's id (G104 …), location `path:line` (a range "36-39" keeps its
first line). The same rule twice on one line (two columns) is one finding.
Severity: gosec's own HIGH / MEDIUM / LOW; its confidence is kept in extra.
CWE: the issue's `cwe.id`; older gosec writes none, and then the CWE gosec documents for the
rule (ingest/tooltags.py), so a weak hash maps to the crypto items whichever version ran.
Issues silenced in the source (`#nosec`, gosec ≥ 2.10 `suppressions`) are kept as accepted.
`Stats.files: 0` (gosec found no Go file) is a coverage gap, never an all-clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    first_value,
    has_keys,
    need_json,
    rewind,
    rewindable,
)
from cityguard.ingest.tooltags import rule_cwes, rule_tags
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    file_location,
    norm_path,
    norm_severity,
    redact,
    split_cwes,
    suppressed_by,
    to_int,
    unique_refs,
)
from cityguard.model import Finding

#: a Go string literal ("…", `…`); G101 quotes the hard-coded credential in its `code`
_LITERAL = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`')


@register
class Gosec:
    name = "gosec"
    tool = "gosec"
    description = "gosec JSON (Go security checker)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "Issues") and (has_keys(text, "rule_id", "details")
                                         or has_keys(text, "Golang errors")):  # fmt: skip
            return 95
        if has_keys(text, "Issues", "Stats") and has_keys(text, "nosec", "found"):
            return 90  # a run without issues: the envelope and its statistics
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "gosec") != "{":
            raise DataError(source, "not a gosec report (expected a JSON object)")
        self.scanned = {(self.tool, ".")}
        found = False
        for finding in first_of_each(self._issues(stream, source)):
            found = True
            yield finding
        stats = first_value(stream, source, "Stats")
        if not found and isinstance(stats, dict) and to_int(stats.get("files")) == 0:
            record(self, "nothing_scanned", source, detail="gosec found no Go source file")

    def _issues(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for issue in iter_json(rewind(stream), source, "Issues.item"):
            if not isinstance(issue, dict) or not issue.get("rule_id"):
                raise DataError(source, "not a gosec report (an issue without rule_id)")
            yield self._finding(issue)

    def _finding(self, i: dict[str, Any]) -> Finding:
        rule = str(i.get("rule_id"))
        path = norm_path(str(i.get("file") or ""))
        line = to_int(str(i.get("line") or "").split("-", 1)[0])
        line = line if line and line > 0 else None
        cwe = as_dict(i.get("cwe"))
        cwes = split_cwes(cwe.get("id") or cwe.get("ID")) or rule_cwes(self.tool, rule)
        raw = str(i.get("severity") or "")
        details = str(i.get("details") or rule)
        code = str(i.get("code") or "").strip()
        tags = rule_tags(self.tool, rule)
        if "secret" in tags:  # no shape to recognise: every literal on the line goes
            code = _LITERAL.sub('"***"', code)
        extra: dict[str, Any] = {"line": line, "column": i.get("column"),
                                 "confidence": i.get("confidence")}  # fmt: skip
        status = "open"
        silenced = [s for s in as_list(i.get("suppressions")) if isinstance(s, dict)]
        if i.get("nosec") or silenced:
            status = "accepted"
            why = "; ".join(str(s.get("justification") or s.get("kind") or "") for s in silenced)
            extra["suppression"] = suppressed_by("gosec nosec", why.strip("; "), status)
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=rule,
            title=f"{rule}: {details}",
            severity=norm_severity(raw),
            severity_raw=raw,
            cwes=cwes,
            description=details,
            location=file_location(path, line),
            evidence=redact(code),
            references=unique_refs([cwe.get("url")]),
            tags=tags,
            status=status,
            extra={k: v for k, v in extra.items() if v is not None},
        )
