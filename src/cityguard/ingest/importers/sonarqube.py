"""SonarQube Web API exports: `/api/issues/search` (`{"paging", "issues": […], "components":
[…]}`, or the bare `issues` list) and `/api/hotspots/search` (`{"paging", "hotspots": […]}`).

One finding per issue or hotspot: identity tool `sonarqube`, asset = the project key, rule =
the Sonar rule ("python:S4502"), location `path:line` (the path from `components`, else the
component key without its project prefix). An issue without a line (project-level issues of
the dependency-check plugin) adds the CVE/GHSA ids of its message, else SonarQube's own issue
key, so distinct results stay distinct.
Severity: BLOCKER critical, CRITICAL high, MAJOR medium, MINOR low, INFO info (Sonar 10's
`impacts` HIGH/MEDIUM/LOW where `severity` is missing); hotspots by their
`vulnerabilityProbability`. Only security issues carry that weight: BUG and CODE_SMELL issues
are kept as info (code quality, not a weakness; `severity_raw` keeps Sonar's value).
Status: OPEN/CONFIRMED/REOPENED and TO_REVIEW are open; resolved as false positive (hotspot
SAFE) is false_positive, WONTFIX/ACCEPTED (hotspot ACKNOWLEDGED) accepted; FIXED, REMOVED and
CLOSED issues are not findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    as_list,
    first_value,
    has_keys,
    iso_utc,
    need_json,
    rewind,
    rewindable,
)
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    first_line,
    norm_path,
    norm_severity,
    redact,
    split_cves,
    split_cwes,
    to_int,
)
from cityguard.model import Finding, Severity

_SEVERITY = {"BLOCKER": Severity.CRITICAL, "CRITICAL": Severity.HIGH, "MAJOR": Severity.MEDIUM,
             "MINOR": Severity.LOW, "INFO": Severity.INFO}  # fmt: skip
_DONE = frozenset({"FIXED", "REMOVED", "CLOSED"})
_STATUS = {"FALSE-POSITIVE": "false_positive", "SAFE": "false_positive",
           "WONTFIX": "accepted", "ACCEPTED": "accepted", "ACKNOWLEDGED": "accepted"}  # fmt: skip
_GHSA = re.compile(r"GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}", re.I)
_QUALITY = ("BUG", "CODE_SMELL")
# hotspot securityCategory → the CWE SonarQube files that category under
_CATEGORY_CWE = {"sql-injection": "CWE-89", "command-injection": "CWE-78", "xss": "CWE-79",
                 "path-traversal-injection": "CWE-22", "ldap-injection": "CWE-90",
                 "xpath-injection": "CWE-643", "rce": "CWE-94", "ssrf": "CWE-918",
                 "xxe": "CWE-611", "object-injection": "CWE-502", "csrf": "CWE-352",
                 "open-redirect": "CWE-601", "weak-cryptography": "CWE-327",
                 "encrypt-data": "CWE-319", "auth": "CWE-287", "permission": "CWE-732"}  # fmt: skip


@register
class Sonarqube:
    name = "sonarqube"
    tool = "sonarqube"
    description = "SonarQube API JSON (/api/issues/search, /api/hotspots/search)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if (
            text.startswith("{")
            and has_keys(text, "issues")
            and (has_keys(text, "paging") or has_keys(text, "effortTotal"))
        ):
            return 85 if has_keys(text, "rule", "component") or '"issues": []' in text else 70
        if text.startswith("{") and has_keys(text, "hotspots", "paging"):
            return 85
        if (
            text.startswith("[")
            and has_keys(text, "rule", "component", "project")
            and (has_keys(text, "textRange") or has_keys(text, "effort"))
        ):
            return 80  # the `issues` array saved on its own
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "SonarQube")
        if first not in "{[":
            raise DataError(source, "not a SonarQube export (expected a JSON object or list)")
        paths: dict[str, str] = {}
        if first == "{":
            for c in as_list(first_value(stream, source, "components")):
                if isinstance(c, dict) and c.get("key") and c.get("path"):
                    paths[str(c["key"])] = str(c["path"])
        prefixes = ("item",) if first == "[" else ("issues.item", "hotspots.item")
        self.scanned: set[tuple[str, str]] = set()
        for finding in first_of_each(self._issues(stream, source, prefixes, paths)):
            self.scanned.add((self.tool, finding.asset_key))
            yield finding

    def _issues(self, stream: BinaryIO, source: str, prefixes: tuple[str, ...],
                paths: dict[str, str]) -> Iterator[Finding]:
        for prefix in prefixes:
            for item in iter_json(rewind(stream), source, prefix):
                if not isinstance(item, dict) or not (item.get("rule") or item.get("ruleKey")):
                    raise DataError(source, "not a SonarQube export (an issue without rule)")
                finding = self._finding(item, paths, hotspot=prefix.startswith("hotspots"))
                if finding is not None:
                    yield finding

    def _finding(self, i: dict[str, Any], paths: dict[str, str], hotspot: bool) -> Finding | None:
        status, resolution = str(i.get("status") or "").upper(), str(i.get("resolution") or "")
        if status in _DONE or resolution.upper() in ("FIXED", "REMOVED"):
            return None
        rule = str(i.get("rule") or i.get("ruleKey"))
        project = str(i.get("project") or "").strip()
        component = str(i.get("component") or "")
        path = norm_path(paths.get(component) or component.removeprefix(f"{project}:"))
        line = to_int(i.get("line") or (i.get("textRange") or {}).get("startLine"))
        line = line if line and line > 0 else None
        message = str(i.get("message") or "")
        ghsa = dict.fromkeys("GHSA" + m[4:].lower() for m in _GHSA.findall(message))
        ids = [*split_cves(message), *ghsa]
        kind = "SECURITY_HOTSPOT" if hotspot else str(i.get("type") or "")
        raw = str(i.get("vulnerabilityProbability") if hotspot else _raw_severity(i))
        severity = norm_severity(raw) if hotspot else _SEVERITY.get(raw.upper(), norm_severity(raw))
        if kind in _QUALITY:
            severity = Severity.INFO
        if line:
            location = f"{path}:{line}"
        else:
            location = f"{path} [{', '.join(ids)}]" if ids else f"{path}#{i.get('key') or ''}"
        tags = [str(t) for t in as_list(i.get("tags"))]
        dependency = rule.startswith("OWASP:") or (ids and not line)
        status_out = _STATUS.get(resolution.upper(), "open")
        extra: dict[str, Any] = {
            "line": line,
            "type": kind,
            "key": i.get("key"),
            "sonar_tags": tags,
            "category": i.get("securityCategory"),
        }
        if status_out != "open":
            extra["suppression"] = {"kind": "sonarqube resolution", "status": status_out,
                                    "justification": resolution}  # fmt: skip
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=project or ".",
            rule_id=rule,
            title=f"{rule}: {first_line(message)}" if message else rule,
            severity=severity,
            severity_raw=raw,
            cves=tuple(x for x in ids if x.startswith("CVE-")),
            cwes=split_cwes(
                [t for t in tags if re.fullmatch(r"cwe-\d+", t.lower())]
                + [_CATEGORY_CWE.get(str(i.get("securityCategory")), "")]
            ),
            description=message,
            location=location,
            evidence=redact(message),
            tags=("vuln", "dependency") if dependency else (),
            first_seen=iso_utc(i.get("creationDate")),
            last_seen=iso_utc(i.get("updateDate")) or iso_utc(i.get("creationDate")),
            status=status_out,
            extra={k: v for k, v in extra.items() if v},
        )


def _raw_severity(i: dict[str, Any]) -> str:
    """`severity`, else the worst of Sonar 10's `impacts` (HIGH / MEDIUM / LOW …)."""
    if i.get("severity"):
        return str(i["severity"])
    order = ("BLOCKER", "HIGH", "MEDIUM", "LOW", "INFO")
    found = [str(x.get("severity") or "").upper() for x in as_list(i.get("impacts"))
             if isinstance(x, dict)]  # fmt: skip
    return next((s for s in order if s in found), "")
