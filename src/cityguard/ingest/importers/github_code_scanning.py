"""GitHub code scanning alerts (REST: `gh api repos/OWNER/REPO/code-scanning/alerts
--paginate`, or the organisation's list): a JSON list of alerts, each with its `rule`,
analysis `tool` and `most_recent_instance` (file, lines, message).

- open alerts are findings; `dismissed` ones are kept (false positive → false_positive,
  won't fix / used in tests → accepted, with the reason and who); `fixed` ones are closed on
  GitHub and are not findings.
- asset: the repository (`repository.full_name`, else read from `html_url`), kind repository;
  identity: rule id and `path:start line` (paths as every code scanner gives them).
- severity: the rule's `security_severity_level` (critical / high / medium / low), else its
  `severity` (error → high, warning → medium, note → low); CWEs from the rule's
  `external/cwe/cwe-N` tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    has_keys,
    iso_utc,
    need_json,
    rewind,
    rewindable,
    stated,
    text_of,
)
from cityguard.ingest.tooltags import rule_tags
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

_REPO_URL = re.compile(r"^https?://[^/]+/([^/]+/[^/]+)/")
_DISMISSED = {"false positive": "false_positive"}  # any other reason: accepted


@register
class GithubCodeScanning:
    name = "github_code_scanning"
    tool = "github_code_scanning"
    description = "GitHub code scanning alerts JSON (REST API list of alerts)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("[") and has_keys(text, "most_recent_instance", "rule") and (
            "code-scanning" in text or has_keys(text, "instances_url")
        ):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "GitHub code scanning") != "[":
            raise DataError(source, "not a GitHub code scanning alert list (expected a JSON list)")
        yield from first_of_each(self._alerts(stream, source))

    def _alerts(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for alert in iter_json(rewind(stream), source, "item"):
            if not isinstance(alert, dict) or not isinstance(alert.get("rule"), dict):
                raise DataError(source, "not a GitHub code scanning alert list "
                                        "(an alert is not an object with a rule)")  # fmt: skip
            if stated(alert.get("state")).lower() != "fixed":
                yield self._finding(alert)

    def _finding(self, a: dict[str, Any]) -> Finding:
        rule = a["rule"]
        tool = as_dict(a.get("tool"))
        inst = a.get("most_recent_instance") if isinstance(a.get("most_recent_instance"),
                                                           dict) else {}  # fmt: skip
        where = as_dict(inst.get("location"))
        path = norm_path(stated(where.get("path")))
        line = to_int(where.get("start_line"))
        line = line if line and line > 0 else None
        rule_id = stated(rule.get("id")) or stated(rule.get("name"))
        raw = stated(rule.get("security_severity_level")) or stated(rule.get("severity"))
        state = stated(a.get("state")).lower()
        reason = stated(a.get("dismissed_reason"))
        status = _DISMISSED.get(reason.lower(), "accepted") if state == "dismissed" else "open"
        extra: dict[str, Any] = {
            "line": line, "alert": to_int(a.get("number")), "url": stated(a.get("html_url")),
            "analysis_tool": stated(tool.get("name")), "tool_version": stated(tool.get("version")),
            "category": stated(inst.get("category")), "commit": stated(inst.get("commit_sha")),
        }  # fmt: skip
        if status != "open":
            why = " ".join(x for x in (reason, stated(a.get("dismissed_comment"))) if x)
            extra["suppression"] = suppressed_by("github dismissal", why, status)
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=_repository(a),
            rule_id=rule_id,
            title=stated(rule.get("description")) or rule_id,
            severity=norm_severity(raw),
            severity_raw=raw,
            cwes=split_cwes([t for t in as_list(rule.get("tags")) if "cwe" in str(t).lower()]),
            description=stated(rule.get("full_description")) or stated(rule.get("description")),
            solution=stated(rule.get("help")),
            location=file_location(path, line),
            evidence=redact(text_of(inst.get("message"))),
            references=unique_refs([stated(a.get("html_url"))]),
            tags=rule_tags(self.tool, rule_id),
            first_seen=iso_utc(a.get("created_at")),
            last_seen=iso_utc(a.get("updated_at")) or iso_utc(a.get("created_at")),
            status=status,
            extra={k: v for k, v in extra.items() if v},
        )


def _repository(alert: dict[str, Any]) -> str:
    repo = alert.get("repository")
    if isinstance(repo, dict) and repo.get("full_name"):
        return str(repo["full_name"])
    m = _REPO_URL.match(stated(alert.get("html_url")))
    return m.group(1) if m else "."
