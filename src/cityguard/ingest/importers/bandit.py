"""Bandit (Python SAST) JSON: `results[]` of {filename, line_number, test_id, issue_severity …}.

Asset: "." — the scanned source tree (use one --system per repository); the file and line
are the location, the path normalised (`values.norm_path`: no "./", '/' separators) so one
repository scanned on Windows and on Linux, in JSON or in SARIF, gives the same identities.
What bandit's test ids mean (B105 a password, B501 TLS) is in `ingest/tooltags.py`, shared
with bandit's SARIF. The same issue listed twice (bandit does that
for some nested calls) is one finding. Code excerpts are redacted (B105–B107 flag passwords).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    as_dict,
    has_keys,
    iso_utc,
    need_json,
    rewind,
    rewindable,
    top_scalars,
)
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    file_location,
    norm_path,
    norm_severity,
    redact,
    split_cwes,
    unique_refs,
)
from cityguard.model import Finding


@register
class Bandit:
    name = "bandit"
    tool = "bandit"
    description = "Bandit JSON (Python static analysis)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "results", "test_id", "issue_severity"):
            return 95
        # keys are sorted: a big `metrics` block can push `results` past the head
        if has_keys(text, "generated_at", "metrics") and "SEVERITY.UNDEFINED" in text:
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "bandit") != "{":
            return
        seen = iso_utc(top_scalars(stream, source, "results").get("generated_at"))
        self.scanned = {(self.tool, ".")}
        results = iter_json(rewind(stream), source, "results.item")
        yield from first_of_each(self._finding(r, seen) for r in results if isinstance(r, dict))

    def _finding(self, r: dict[str, Any], seen: str | None) -> Finding:
        test = str(r.get("test_id") or "")
        path = norm_path(str(r.get("filename") or ""))
        line = r.get("line_number")
        raw = str(r.get("issue_severity") or "UNDEFINED")
        cwe = as_dict(r.get("issue_cwe"))
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=test,
            title=f"{test} {r.get('test_name') or ''}: {r.get('issue_text') or ''}".strip(),
            severity=norm_severity(raw),
            severity_raw=f"{raw} (confidence {r.get('issue_confidence') or '?'})",
            cwes=split_cwes(cwe.get("id")),
            description=str(r.get("issue_text") or ""),
            location=file_location(path, line),
            evidence=redact(str(r.get("code") or "")),
            references=unique_refs((r.get("more_info"), cwe.get("link"))),
            tags=rule_tags(self.tool, test),
            first_seen=seen,
            last_seen=seen,
            extra={"confidence": r.get("issue_confidence"), "line": line},
        )
