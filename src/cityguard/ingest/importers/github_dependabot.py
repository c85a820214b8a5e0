"""GitHub Dependabot alerts from the GraphQL API (`gh api graphql` with a query over
`repository { vulnerabilityAlerts { nodes { … } } }`, or over `search { nodes { … } }` for
several repositories): the answer is `{"data": …}` with `vulnerabilityAlerts.nodes` at one
or more places; each alert names its `securityVulnerability` (severity, package, advisory).

- open alerts are findings; dismissed ones (`dismissedAt`, `state: DISMISSED`) are kept as
  accepted with the reason; `FIXED` / `AUTO_DISMISSED` ones are closed on GitHub.
- asset: the repository (`nameWithOwner`, else `name`, else read from `url`); identity: the
  advisory (GHSA id), `manifest package`, and the alert's own id (an alert keeps its id for
  life), so two alerts of one advisory on one package in manifests the query did not name
  stay two findings.
- severity: GitHub's CRITICAL / HIGH / MODERATE / LOW (MODERATE → medium).
A GraphQL page holds at most 100 alerts, so a file is read whole (bounded, core/jsonio).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import as_dict, as_list, has_keys, iso_utc, rewindable
from cityguard.ingest.util import decode_json, first_of_each, head_text
from cityguard.ingest.values import (
    norm_path,
    norm_severity,
    split_cves,
    split_cwes,
    suppressed_by,
    to_float,
    unique_refs,
    upgrade_advice,
)
from cityguard.model import Finding, fingerprint

_REPO_URL = re.compile(r"^https?://[^/]+/([^/]+/[^/?#]+)")
_CLOSED = {"FIXED", "AUTO_DISMISSED"}


@register
class GithubDependabot:
    name = "github_dependabot"
    tool = "github_dependabot"
    description = "GitHub Dependabot alerts JSON (GraphQL vulnerabilityAlerts)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("{") and has_keys(text, "data", "vulnerabilityAlerts"):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        doc = decode_json(rewindable(stream), source)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
            raise DataError(source, "not a GitHub GraphQL answer (expected an object with data)")
        yield from first_of_each(self._finding(repo, alert)
                                 for repo, alert in _alerts(doc["data"], None, source)
                                 if str(alert.get("state") or "").upper() not in _CLOSED)

    def _finding(self, repo: str, a: dict[str, Any]) -> Finding:
        sv = as_dict(a.get("securityVulnerability"))
        adv = as_dict(sv.get("advisory"))
        pkg = as_dict(sv.get("package"))
        ids = [i for i in as_list(adv.get("identifiers")) if isinstance(i, dict)]
        ghsa = str(adv.get("ghsaId") or next((i.get("value") for i in ids
                                              if i.get("type") == "GHSA"), "")
                   or next((i.get("value") for i in ids), "") or "")  # fmt: skip
        name = str(pkg.get("name") or "")
        manifest = norm_path(str(a.get("vulnerableManifestPath") or ""))
        raw = str(sv.get("severity") or "")
        cvss = as_dict(adv.get("cvss"))
        patched = str(as_dict(sv.get("firstPatchedVersion")).get("identifier") or "")
        dismissed = bool(a.get("dismissedAt")) or str(a.get("state") or "") == "DISMISSED"
        location = f"{manifest} {name}".strip()
        extra: dict[str, Any] = {k: v for k, v in (
            ("ecosystem", pkg.get("ecosystem")), ("alert", a.get("number") or a.get("id")),
            ("vulnerable_range", sv.get("vulnerableVersionRange")),
            ("requirements", a.get("vulnerableRequirements")),
            ("pull_request", as_dict(as_dict(a.get("dependabotUpdate")).get("pullRequest"))
             .get("permalink")),
        ) if v}  # fmt: skip
        if dismissed:
            extra["suppression"] = suppressed_by("dependabot dismissal", a.get("dismissReason"))
        finding = Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=repo,
            rule_id=ghsa,
            title=f"{adv.get('summary') or ghsa} ({name})",
            severity=norm_severity(raw),
            severity_raw=raw,
            cvss_score=to_float(cvss.get("score")) or None,
            cvss_vector=str(cvss.get("vectorString") or "") or None,
            cves=split_cves([i.get("value") for i in ids]),
            cwes=split_cwes([c.get("cweId") for c in as_list(as_dict(adv.get("cwes")).get("nodes"))
                             if isinstance(c, dict)]),  # fmt: skip
            description=str(adv.get("description") or ""),
            solution=upgrade_advice(name, patched) or "No patched version yet.",
            location=location,
            evidence=f"{name} {sv.get('vulnerableVersionRange') or ''} in {manifest or '?'}",
            references=unique_refs(r.get("url") for r in as_list(adv.get("references"))
                                   if isinstance(r, dict)),
            tags=("vuln", "dependency"),
            first_seen=iso_utc(a.get("createdAt")),
            last_seen=iso_utc(a.get("createdAt")),  # the advisory's updatedAt is no sighting
            status="accepted" if dismissed else "open",
            extra=extra,
        )
        alert = str(a.get("id") or a.get("number") or "")
        digest = hashlib.sha256(alert.encode()).hexdigest()[:16]
        finding._fingerprint = fingerprint(self.tool, repo, ghsa, f"{location}#{digest}")
        return finding


def _alerts(node: Any, repo: str | None, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every alert under `node` with the repository it belongs to (depth-first)."""
    if isinstance(node, list):
        for item in node:
            yield from _alerts(item, repo, source)
        return
    if not isinstance(node, dict):
        return
    here = _repo_name(node) or repo
    alerts = node.get("vulnerabilityAlerts")
    if isinstance(alerts, dict):
        for alert in as_list(alerts.get("nodes")):
            if not isinstance(alert, dict):
                raise DataError(source, "not a GitHub Dependabot answer "
                                        "(an alert is not an object)")
            yield here or ".", alert
    for key, value in node.items():
        if key != "vulnerabilityAlerts" and isinstance(value, (dict, list)):
            yield from _alerts(value, here, source)


def _repo_name(node: dict[str, Any]) -> str | None:
    if node.get("nameWithOwner"):
        return str(node["nameWithOwner"])
    m = _REPO_URL.match(str(node.get("url") or ""))
    if m and "vulnerabilityAlerts" in node:
        return m.group(1)
    if node.get("name") and "vulnerabilityAlerts" in node:
        return str(node["name"])
    return None
