"""Wazuh vulnerability detector results: the 4.7 API (`GET /vulnerability/{agent}`) and the
4.8+ indexer search (`wazuh-states-vulnerabilities-*`, hits.hits[]._source).

One finding per (agent, package@version, CVE). Unlike DefectDojo we keep "Package unfixed"
items (no fix yet is still a vulnerability the SOC must know about) and "Untriaged"/"-"
severities (rated from the CVSS score when there is one, else info).

The 4.7 API answer does not name the agent (it is in the request URL): the asset is then the
agent name or id if an item carries one, else the file name's stem — export one file per agent
and keep its name stable (e.g. `wazuh-agent-001.json`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, BinaryIO

from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_list,
    has_keys,
    iso_utc,
    need_json,
    rewind,
    rewindable,
)
from cityguard.ingest.util import head_text, iter_json
from cityguard.ingest.values import norm_severity, split_cves, to_float
from cityguard.model import Finding, Severity, severity_from_cvss

_WORDS = {"critical", "high", "medium", "low"}


@register
class Wazuh:
    name = "wazuh"
    tool = "wazuh"
    description = "Wazuh vulnerabilities: 4.7 API (affected_items) or 4.8+ indexer hits"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "hits") and (
            "wazuh-states-vulnerabilities" in text
            or has_keys(text, "vulnerability", "agent", "package")
        ):
            return 90
        if has_keys(text, "affected_items") and (
            any_key(text, "cve", "cvss3_score") or "vulnerabilities were returned" in text
        ):
            return 85
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "Wazuh") != "{":
            return
        fallback = PurePath(source).stem or "wazuh-agent"
        self.scanned: set[tuple[str, str]] = set()
        for item in iter_json(rewind(stream), source, "data.affected_items.item"):
            if isinstance(item, dict):
                agent = str(item.get("agent_name") or item.get("agent_id") or fallback)
                yield self._v47(item, agent)
        for hit in iter_json(rewind(stream), source, "hits.hits.item"):
            src = hit.get("_source") if isinstance(hit, dict) else None
            if isinstance(src, dict):
                yield self._v48(src)

    def _v47(self, item: dict[str, Any], agent: str) -> Finding:
        cve = str(item.get("cve") or "")
        pkg, version = str(item.get("name") or ""), str(item.get("version") or "")
        score = to_float(item.get("cvss3_score")) or to_float(item.get("cvss2_score")) or None
        raw = str(item.get("severity") or "")
        condition = str(item.get("condition") or "")
        return self._finding(
            agent=agent,
            cve=cve,
            pkg=pkg,
            version=version,
            raw=raw,
            score=score,
            vector=None,
            title=str(item.get("title") or f"{cve} affects {pkg}"),
            description=condition,
            solution="" if condition == "Package unfixed" else f"Upgrade {pkg}: {condition}",
            references=as_list(item.get("external_references")),
            first_seen=iso_utc(item.get("detection_time")),
            extra={"status": item.get("status"), "architecture": item.get("architecture")},
        )

    def _v48(self, src: dict[str, Any]) -> Finding:
        agent_info = src.get("agent") or {}
        agent = str(agent_info.get("name") or agent_info.get("id") or "unknown")
        package = src.get("package") or {}
        vuln = src.get("vulnerability") or {}
        score_info = vuln.get("score") or {}
        cve = str(vuln.get("id") or "")
        pkg, version = str(package.get("name") or ""), str(package.get("version") or "")
        refs = [r.strip() for r in str(vuln.get("reference") or "").split(",") if r.strip()]
        return self._finding(
            agent=agent, cve=cve, pkg=pkg, version=version,
            raw=str(vuln.get("severity") or ""), score=to_float(score_info.get("base")),
            vector=None, title=f"{cve} affects {pkg}",
            description=str(vuln.get("description") or ""),
            solution=f"Upgrade {pkg} ({(vuln.get('scanner') or {}).get('condition') or ''})",
            references=refs, first_seen=iso_utc(vuln.get("detected_at")),
            extra={"agent_id": agent_info.get("id"),
                   "under_evaluation": vuln.get("under_evaluation"),
                   "os": ((src.get("host") or {}).get("os") or {}).get("full")},
        )  # fmt: skip

    def _finding(self, *, agent: str, cve: str, pkg: str, version: str, raw: str,
                 score: float | None, vector: str | None, title: str, description: str,
                 solution: str, references: list[Any], first_seen: str | None,
                 extra: dict[str, Any]) -> Finding:  # fmt: skip
        if raw.strip().lower() in _WORDS:
            severity = norm_severity(raw)
        else:  # "Untriaged", "-", "": the score is the better signal when there is one
            severity = severity_from_cvss(score) if score else Severity.INFO
        self.scanned.add((self.tool, agent))
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="host",
            asset_key=agent,
            rule_id=cve,
            title=f"{title} (version {version})" if version else title,
            severity=severity,
            severity_raw=raw,
            cvss_score=score,
            cvss_vector=vector,
            cves=split_cves(cve),
            description=description,
            solution=solution,
            location=f"{pkg}@{version}",
            evidence=f"{agent}: {pkg} {version} installed",
            references=tuple(str(r) for r in references if r),
            tags=("vuln",),
            first_seen=first_seen,
            extra={k: v for k, v in extra.items() if v is not None},
        )
