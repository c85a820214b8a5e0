"""KICS JSON (`kics scan -o DIR --report-formats json`, results.json): `queries[]`, each query
with the `files[]` it failed on.

One finding per result. Identity: tool `kics`, asset "." (the scanned tree), rule = query_id,
location `file:line`; KICS reports several results of one query on one line (a Redshift
cluster missing both `cluster_subnet_group_name` and `vpc_security_group_ids`; an RBAC rule
with `*` in apiGroups, resources and verbs), which differ only in their search key, search
value and expected value, so those three are hashed into the identity (KICS's own
similarity_id is the same for the RBAC results, so it cannot be the identity).
Severity: KICS's own CRITICAL / HIGH / MEDIUM / LOW as they are, INFO and TRACE → info.
Category "Secret Management" → secret. A scan that read no file is a coverage gap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_list,
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
    to_int,
    unique_refs,
)
from cityguard.model import Finding, fingerprint


@register
class Kics:
    name = "kics"
    tool = "kics"
    description = "KICS JSON (Checkmarx infrastructure-as-code scanner)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "queries") and any_key(text, "query_id", "kics_version"):
            return 95
        if has_keys(text, "files_scanned", "queries_total", "severity_counters"):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "KICS") != "{":
            return
        top = top_scalars(stream, source, "queries")
        start, end = iso_utc(top.get("start")), iso_utc(top.get("end"))
        self.scanned = {(self.tool, ".")}
        found = False
        for finding in first_of_each(self._results(stream, source, start, end)):
            found = True
            yield finding
        if not found and to_int(top.get("files_scanned")) == 0:
            record(self, "nothing_scanned", source, detail="files_scanned is 0")

    def _results(self, stream: BinaryIO, source: str, start: str | None, end: str | None
                 ) -> Iterator[Finding]:
        for query in iter_json(rewind(stream), source, "queries.item"):
            if isinstance(query, dict):
                yield from (self._finding(query, result, start, end)
                            for result in as_list(query.get("files")) if isinstance(result, dict))

    def _finding(
        self, q: dict[str, Any], r: dict[str, Any], start: str | None, end: str | None
    ) -> Finding:
        query_id = str(q.get("query_id") or q.get("query_name") or "")
        path = norm_path(str(r.get("file_name") or ""))
        line = to_int(r.get("line"))
        line = line if line and line > 0 else None
        location = file_location(path, line)
        raw = str(q.get("severity") or "")
        category = str(q.get("category") or "")
        hints = ("secret",) if "secret" in category.lower() else ()
        expected, actual = str(r.get("expected_value") or ""), str(r.get("actual_value") or "")
        key = "\x1f".join(str(r.get(k) or "") for k in ("search_key", "search_value"))
        digest = hashlib.sha256(f"{key}\x1f{expected}".encode()).hexdigest()[:16]
        resource = "/".join(str(r.get(k)) for k in ("resource_type", "resource_name")
                            if r.get(k) and r.get(k) != "n/a")  # fmt: skip
        finding = Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=query_id,
            title=str(q.get("query_name") or query_id),
            severity=norm_severity(raw),
            severity_raw=raw,
            cwes=split_cwes(q.get("cwe")),
            description=str(q.get("description") or ""),
            solution=str(r.get("remediation") or expected),
            location=location,
            evidence=redact("\n".join(x for x in (location, resource, f"expected: {expected}",
                                                  f"actual: {actual}") if x)),  # fmt: skip
            references=unique_refs([q.get("query_url")]),
            tags=rule_tags(self.tool, query_id, ("config", *hints)),
            first_seen=start,
            last_seen=end or start,
            extra={k: v for k, v in (
                ("line", line), ("platform", q.get("platform")), ("category", category or None),
                ("cloud_provider", q.get("cloud_provider")), ("issue_type", r.get("issue_type")),
                ("similarity_id", r.get("similarity_id")),
            ) if v},
        )  # fmt: skip
        # several results of one query on one line differ only in what KICS searched for
        finding._fingerprint = fingerprint(self.tool, ".", query_id, f"{location}#{digest}")
        return finding
