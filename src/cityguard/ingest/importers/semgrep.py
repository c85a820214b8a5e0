"""Semgrep JSON (`semgrep scan --json`): `results[]` of {check_id, path, start, end, extra}.

Same identities and mapping as Semgrep's SARIF of the same run (tool family `semgrep`, asset
"." = the scanned tree, location `path:start line`, the path normalised), so switching
formats never makes new fingerprints. The same result listed twice (older Semgrep does that
for overlapping patterns) is one finding. `extra.fingerprint` is not used as identity:
without a login Semgrep writes "requires login" on every result.

Severity: Semgrep's own words. ERROR → high, WARNING → medium, INFO → low (as SARIF levels
error / warning / note); the newer CRITICAL / HIGH / MEDIUM / LOW as they are. A metadata
`security-severity` (a CVSS-like number) wins, as it does in SARIF.
Results Semgrep was told to ignore (`extra.is_ignored`, a `nosemgrep` comment) are kept as
accepted. A run that scanned no file at all (`paths.scanned` empty, no result) is a coverage
gap. Matched lines are redacted (rules flag hard-coded credentials).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

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
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    LINT_LEVELS,
    file_location,
    first_line,
    norm_path,
    norm_severity,
    redact,
    split_cves,
    split_cwes,
    suppressed_by,
    to_float,
    unique_refs,
)
from cityguard.model import Finding, Severity, severity_from_cvss

_WORDS = {**LINT_LEVELS, "inventory": Severity.INFO, "experiment": Severity.INFO}


@register
class Semgrep:
    name = "semgrep"
    tool = "semgrep"
    description = "Semgrep JSON (semgrep scan --json)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "results", "check_id", "extra") and has_keys(text, "start"):
            return 95
        if has_keys(text, "results", "errors") and (
            has_keys(text, "paths", "version") or has_keys(text, "skipped_rules")
        ):
            return 60  # a run with no result: semgrep's envelope only
        if has_keys(text, "results", "errors") and len(text) < 200 and "metrics" not in text:
            return 40  # `{"results": [], "errors": []}`: older semgrep, nothing found
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "semgrep") != "{":
            return
        self.scanned = {(self.tool, ".")}
        found = False
        results = iter_json(rewind(stream), source, "results.item")
        for finding in first_of_each(self._finding(r) for r in results if isinstance(r, dict)):
            found = True
            yield finding
        if not found:
            scanned = first_value(stream, source, "paths.scanned")
            if isinstance(scanned, list) and not scanned:
                errors = first_value(stream, source, "errors")
                record(self, "nothing_scanned", source,
                       detail=f"no file scanned, {len(as_list(errors))} error(s)")  # fmt: skip

    def _finding(self, r: dict[str, Any]) -> Finding:
        extra = as_dict(r.get("extra"))
        meta = as_dict(extra.get("metadata"))
        check = str(r.get("check_id") or "")
        path = norm_path(str(r.get("path") or ""))
        start = as_dict(r.get("start"))
        line = start.get("line") if isinstance(start.get("line"), int) else None
        severity, raw = _severity(str(extra.get("severity") or ""), meta)
        cwe_text = [str(c) for c in as_list(meta.get("cwe"))]
        owasp = [str(o) for o in as_list(meta.get("owasp"))]
        lowered = " ".join([check, *cwe_text, *owasp, str(meta.get("category") or "")]).lower()
        cves = split_cves([check, *as_list(meta.get("sca-vuln-database-identifier"))])
        hints = ["secret"] if "secret" in lowered else []
        if cves:
            hints += ["vuln", "dependency"]
        if "misconfiguration" in lowered or "iac" in lowered.split():
            hints.append("config")
        message = str(extra.get("message") or "").strip()
        ignored = bool(extra.get("is_ignored"))
        refs = [meta.get("source"), meta.get("source-rule-url"), *as_list(meta.get("references"))]
        info: dict[str, Any] = {"line": line}
        for key in ("confidence", "likelihood", "impact"):
            if meta.get(key):
                info[key] = meta[key]
        if ignored:
            info["suppression"] = suppressed_by("nosemgrep")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=check,
            title=f"{check.rsplit('.', 1)[-1]}: {first_line(message)}"
            if message else check,
            severity=severity,
            severity_raw=raw,
            cves=cves,
            cwes=split_cwes([c.split(":")[0] for c in cwe_text]),
            description=message,
            solution=str(extra.get("fix") or ""),
            location=file_location(path, line),
            evidence=redact("\n".join(x for x in (file_location(path, line),
                                                  str(extra.get("lines") or "")[:4000]) if x)),
            references=unique_refs(refs),
            tags=rule_tags(self.tool, check, hints),
            status="accepted" if ignored else "open",
            extra=info,
        )


def _severity(word: str, meta: dict[str, Any]) -> tuple[Severity, str]:
    given = meta.get("security-severity")
    score = to_float(given)
    if score is not None:
        return severity_from_cvss(score), f"security-severity {given}"
    lowered = word.strip().lower()
    if lowered in _WORDS:
        return _WORDS[lowered], word
    return norm_severity(lowered), word
