"""yarn audit JSON lines: Yarn 1 (`yarn audit --json`: `{"type": "auditAdvisory", "data":
{"resolution", "advisory"}}` once per advisory and dependency path, an `auditSummary`, info,
warning and error lines) and Yarn 2+ (`yarn npm audit --json`: `{"value": package,
"children": {"ID", "Issue", "Severity", …}}` per package and advisory).

One finding per (package, advisory), as for npm audit: rule = the GHSA id when the advisory
names one (else yarn's advisory id), location = the package name; the versions and paths of
every line of that advisory are joined into the evidence. Asset "." — the audited project.
Severity: yarn's words (critical, high, moderate → medium, low, info). Yarn 2 deprecation
notices ("pkg (deprecation)") are kept as dependency findings, not as vulnerabilities.
An error line with no advisory (the audit did not run) and a summary with no dependency at all
(no lockfile) are coverage gaps, never an all-clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import as_dict, as_list, has_keys, iso_utc
from cityguard.ingest.util import head_text, iter_json_lines
from cityguard.ingest.values import (
    norm_severity,
    split_cves,
    split_cwes,
    to_float,
    to_int,
    unique_refs,
    upgrade_advice,
)
from cityguard.model import Finding

_GHSA = re.compile(r"GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}", re.I)
_YARN1_TYPES = ('"auditAdvisory"', '"auditSummary"', '"auditAction"')


@register
class YarnAudit:
    name = "yarn_audit"
    tool = "yarn-audit"
    description = "yarn audit --json (Yarn 1) and yarn npm audit --json (Yarn 2+), JSON lines"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "type", "data") and any(t in text for t in _YARN1_TYPES):
            return 95
        if has_keys(text, "value", "children") and has_keys(text, "Severity", "Issue"):
            return 95
        first = text.splitlines()[0] if text else ""
        if re.match(r'\{"type":"(error|warning|info)","data":', first) and (
            "yarn" in text.lower() or "lockfile" in text.lower()
        ):
            return 40  # yarn's own progress lines only: the audit did not run
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        errors: list[str] = []
        summary: dict[str, Any] | None = None
        for number, item in enumerate(iter_json_lines(stream, source), 1):
            if not isinstance(item, dict):
                raise DataError(source, "not a yarn audit line (not a JSON object)", line=number)
            kind = item.get("type")
            if kind == "auditAdvisory":
                _add(groups, *_yarn1(item, source, number))
            elif "children" in item and "value" in item:
                _add(groups, *_berry(item))
            elif kind == "auditSummary" and isinstance(item.get("data"), dict):
                summary = item["data"]
            elif kind == "error":
                errors.append(str(item.get("data") or "")[:300])
            elif kind not in ("info", "warning", "auditAction", "activityStart", "activityEnd"):
                raise DataError(source, "not a yarn audit line (unknown shape)", line=number)
        self.scanned = {(self.tool, ".")}
        for group in groups.values():
            yield self._finding(group)
        if not groups and errors:
            record(self, "scan_failed", source, detail=errors[0])
        elif not groups and summary is not None and not to_int(summary.get("totalDependencies")):
            record(self, "nothing_audited", source, detail="yarn found no dependency (lockfile?)")

    def _finding(self, g: dict[str, Any]) -> Finding:
        a = g["advisory"]
        raw = str(a.get("severity") or "")
        cvss = as_dict(a.get("cvss"))
        deprecation = g["rule"].endswith("(deprecation)")
        versions = ", ".join(dict.fromkeys(g["versions"]))
        paths = list(dict.fromkeys(g["paths"]))
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=g["rule"],
            title=f"{g['package']}: {a.get('title') or g['rule']}",
            severity=norm_severity(raw),
            severity_raw=raw,
            cvss_score=to_float(cvss.get("score")) or None,
            cvss_vector=str(cvss.get("vectorString") or "") or None,
            cves=split_cves(as_list(a.get("cves"))),
            cwes=split_cwes(as_list(a.get("cwe"))),
            description=str(a.get("overview") or a.get("title") or ""),
            solution=str(a.get("recommendation") or "")
            or upgrade_advice(g["package"], str(a.get("patched_versions") or "")),
            location=g["package"],
            evidence=f"{g['package']}@{versions}"
            + ("\npaths:\n" + "\n".join(paths[:50]) if paths else "")
            + (f"\n… and {len(paths) - 50} more paths" if len(paths) > 50 else ""),
            references=unique_refs([a.get("url")]),
            tags=("dependency",) if deprecation else ("vuln", "dependency"),
            # the advisory's own dates say when it was published, not when it was seen here
            extra={
                "vulnerable_versions": a.get("vulnerable_versions"),
                "patched_versions": a.get("patched_versions"),
                "advisory_published": iso_utc(a.get("created")),
            },  # fmt: skip
        )


def _add(groups: dict[tuple[str, str], dict[str, Any]], package: str, rule: str,
         advisory: dict[str, Any], versions: list[str], paths: list[str]) -> None:  # fmt: skip
    group = groups.setdefault((package, rule), {"package": package, "rule": rule,
                                                "advisory": advisory, "versions": [],
                                                "paths": []})  # fmt: skip
    group["versions"] += versions
    group["paths"] += paths


def _yarn1(item: dict[str, Any], source: str, number: int) -> tuple[Any, ...]:
    data = as_dict(item.get("data"))
    a = data.get("advisory")
    if not isinstance(a, dict):
        raise DataError(source, "a yarn auditAdvisory without advisory", line=number)
    ghsa = _GHSA.search(f"{a.get('github_advisory_id') or ''} {a.get('url') or ''}")
    rule = ghsa.group(0) if ghsa else str(a.get("id") or "")
    package = str(a.get("module_name") or "")
    versions, paths = [], []
    for f in as_list(a.get("findings")):
        if isinstance(f, dict):
            versions.append(str(f.get("version") or ""))
            paths += [str(p) for p in as_list(f.get("paths"))]
    resolution = as_dict(data.get("resolution"))
    if resolution.get("path"):
        paths.append(str(resolution["path"]))
    return package, _ghsa_case(rule), a, versions, paths


def _berry(item: dict[str, Any]) -> tuple[Any, ...]:
    c = as_dict(item.get("children"))
    package = str(item.get("value") or "")
    ghsa = _GHSA.search(str(c.get("URL") or ""))
    rule = _ghsa_case(ghsa.group(0)) if ghsa else str(c.get("ID") or "")
    advisory = {"title": c.get("Issue"), "severity": c.get("Severity"), "url": c.get("URL"),
                "vulnerable_versions": c.get("Vulnerable Versions"),
                "overview": c.get("Issue")}  # fmt: skip
    versions = [str(v) for v in as_list(c.get("Tree Versions"))]
    return package, rule, advisory, versions, [str(d) for d in as_list(c.get("Dependents"))]


def _ghsa_case(rule: str) -> str:
    """GHSA ids as GitHub writes them: upper-case prefix, lower-case body."""
    return "GHSA" + rule[4:].lower() if rule.upper().startswith("GHSA") else rule
