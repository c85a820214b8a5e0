"""tfsec JSON (`tfsec DIR --format json`): `results[]` of {rule_id, long_id, location, severity,
status | passed}, current (≥ 0.58: CRITICAL…LOW, `status`) and legacy (ERROR / WARNING / INFO,
`passed`). `{"results": null}` is tfsec's "nothing found".

- passed results are checks that held: not findings; `status: ignored` (a `tfsec:ignore`
  comment) is kept as accepted, like other suppressions.
- identity: tool `tfsec`, asset "." (the scanned tree), rule = the stable `long_id` where
  given (else rule_id), location `file:start line` plus the resource. One module file used by
  six module instances gives six results on one line, one per resource
  (`module.SG_NAT:aws_security_group_rule.egress…`): six findings, each names its resource.
- severity: CRITICAL / HIGH / MEDIUM / LOW as they are; legacy ERROR → high, WARNING → medium,
  INFO → low.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    has_keys,
    need_json,
    rewind,
    rewindable,
)
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    LINT_LEVELS,
    file_location,
    norm_path,
    norm_severity,
    redact,
    suppressed_by,
    to_int,
)
from cityguard.model import Finding

_RESOURCE = re.compile(r"Resource '([^']+)'")


@register
class Tfsec:
    name = "tfsec"
    tool = "tfsec"
    description = "tfsec JSON (Terraform static analysis, current and legacy)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{") or not has_keys(text, "results"):
            return 0
        if has_keys(text, "rule_provider", "location") or has_keys(text, "long_id", "rule_id"):
            return 95
        if re.fullmatch(r'\{\s*"results"\s*:\s*null\s*\}\s*', text):
            return 70  # tfsec's "nothing found"
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "tfsec") != "{":
            return
        self.scanned = {(self.tool, ".")}
        yield from first_of_each(self._failed(stream, source))

    def _failed(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for r in iter_json(rewind(stream), source, "results.item"):
            if not isinstance(r, dict):
                continue
            status = str(r.get("status") or "").lower()
            if status != "passed" and (status or r.get("passed") is not True):
                yield self._finding(r, status == "ignored")

    def _finding(self, r: dict[str, Any], ignored: bool) -> Finding:
        loc = as_dict(r.get("location"))
        path = norm_path(str(loc.get("filename") or ""))
        line = to_int(loc.get("start_line"))
        line = line if line and line > 0 else None
        description = str(r.get("description") or "")
        found = _RESOURCE.search(description)
        resource = str(r.get("resource") or (found.group(1) if found else ""))
        where = file_location(path, line)
        rule = str(r.get("long_id") or r.get("rule_id") or "")
        raw = str(r.get("severity") or "")
        severity = LINT_LEVELS.get(raw.lower()) or norm_severity(raw)  # legacy: error…info
        links = [*as_list(r.get("links")), r.get("link")]
        extra: dict[str, Any] = {"line": line, "resource": resource or None,
                                 "rule_id": r.get("rule_id"),
                                 "legacy_rule_id": r.get("legacy_rule_id")}  # fmt: skip
        if ignored:
            extra["suppression"] = suppressed_by("tfsec:ignore")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=rule,
            title=str(r.get("rule_description") or rule),
            severity=severity,
            severity_raw=raw,
            description=description,
            solution=str(r.get("resolution") or ""),
            location=f"{where} {resource}" if resource else where,
            evidence=redact("\n".join(x for x in (where, description,
                                                  str(r.get("impact") or "")) if x)),
            references=tuple(dict.fromkeys(
                str(u).removeprefix("See ").removesuffix(" for more information.")
                for u in links if u)),
            tags=rule_tags(self.tool, rule, ("config",)),
            status="accepted" if ignored else "open",
            extra={k: v for k, v in extra.items() if v is not None},
        )  # fmt: skip
