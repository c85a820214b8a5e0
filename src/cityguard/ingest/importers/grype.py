"""Anchore Grype JSON (0.7 … 0.9x): `matches[]` with vulnerability, artifact and source.

Streams `matches.item`; `source` (the scanned image or directory) often comes after the
matches, so it is read first in a quick separate pass. One finding per (vulnerability,
package@version, first location path): the same CVE at two paths is two findings (DefectDojo
collapses them by default), the exact same match listed twice (one per matcher) is one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

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
    severity_or_cvss,
    split_cves,
    split_cwes,
    to_float,
    unique_refs,
    upgrade_advice,
)
from cityguard.model import Finding

# artifact types of OS package managers: their vulnerabilities are patching, not dependencies
OS_PACKAGE_TYPES = {"deb", "rpm", "apk", "alpm", "portage", "linux-kernel", "linux-kernel-module",
                    "dpkg", "os"}  # fmt: skip
_FIX_TEXT = {
    "not-fixed": "No fixed version is available yet; mitigate or accept the risk.",
    "wont-fix": "The distribution will not fix this; mitigate, replace the package or accept.",
}


@register
class Grype:
    name = "grype"
    tool = "grype"
    version_pattern = rb'"descriptor"\s*:\s*\{[^{}]*?"version"\s*:\s*"([^"]+)"'
    version_in = "tail"  # grype writes its descriptor after the matches
    description = "Anchore Grype JSON (matches[] of vulnerability/artifact)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{") or not has_keys(text, "matches"):
            return 0
        if has_keys(text, "vulnerability", "artifact") or '"name": "grype"' in text:
            return 90
        if '"matches": []' in text or '"matches":[]' in text:
            return 60  # an empty grype report: matches first, nothing else recognisable
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "grype") != "{":
            return
        asset = _asset(first_value(stream, source, "source"))
        seen = iso_utc(first_value(stream, source, "descriptor.timestamp"))
        matches = iter_json(rewind(stream), source, "matches.item")
        yield from first_of_each(self._finding(match, asset, seen) for match in matches)

    def _finding(self, match: dict[str, Any], asset: tuple[str, str], seen: str | None) -> Finding:
        vuln = match.get("vulnerability") or {}
        art = match.get("artifact") or {}
        related = [r for r in as_list(match.get("relatedVulnerabilities")) if isinstance(r, dict)]
        vid = str(vuln.get("id") or "")
        name, version = str(art.get("name") or ""), str(art.get("version") or "")
        paths = [str(loc.get("path")) for loc in as_list(art.get("locations")) if loc.get("path")]
        score, vector = _cvss(vuln, related)
        raw = str(vuln.get("severity") or next((r.get("severity") for r in related), "") or "")
        severity = severity_or_cvss(raw, score)
        fix = vuln.get("fix") or {}
        fixed = [str(x) for x in as_list(fix.get("versions"))]
        state = str(fix.get("state") or "")
        description = vuln.get("description") or next(
            (r.get("description") for r in related if r.get("description")), ""
        )
        os_pkg = str(art.get("type") or "").lower() in OS_PACKAGE_TYPES
        urls = [*as_list(vuln.get("urls")), *as_list(vuln.get("links"))]
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind=asset[0],
            asset_key=asset[1],
            rule_id=vid,
            title=f"{vid} in {name} {version}",
            severity=severity,
            severity_raw=raw,
            cvss_score=score,
            cvss_vector=vector,
            cves=split_cves([vid, *(r.get("id") for r in related)]),
            cwes=split_cwes(vuln.get("cwes")),
            description=str(description or ""),
            solution=(upgrade_advice(name, ", ".join(fixed)) if fixed and state != "wont-fix"
                      else _FIX_TEXT.get(state, "")),
            location=f"{name}@{version} {paths[0]}" if paths else f"{name}@{version}",
            evidence=f"{name} {version} ({art.get('type') or '?'}) at " + (", ".join(paths) or "?"),
            references=unique_refs(urls),
            tags=("vuln",) if os_pkg else ("vuln", "dependency"),
            last_seen=seen,
            extra={k: v for k, v in (
                ("purl", art.get("purl")), ("fix_state", state), ("fixed_versions", fixed),
                ("epss", vuln.get("epss")), ("risk", vuln.get("risk")),
            ) if v},
        )  # fmt: skip


def _asset(source: Any) -> tuple[str, str]:
    """(kind, key) of the scanned thing: the image reference the user gave, or the directory.

    The tag ("python:3.6"), not the digest: a rebuilt image is the same asset, so findings
    that its rebuild removed become fixed instead of the whole image looking new.
    """
    if not isinstance(source, dict):
        return "image", "unknown"
    target = source.get("target")
    kind = str(source.get("type") or "")
    if isinstance(target, dict):
        tags = as_list(target.get("tags"))
        key = target.get("userInput") or (tags[0] if tags else None) or target.get("imageID")
        return "image", str(key or "unknown")
    if kind in ("directory", "dir"):
        return "repository", str(target or ".")
    return ("image" if kind == "image" else "file"), str(target or "unknown")


def _cvss(vuln: dict[str, Any], related: list[dict[str, Any]]) -> tuple[float | None, str | None]:
    """The highest-version CVSS entry of the match, else of the related (NVD) records."""
    for record in (vuln, *related):
        entries = [c for c in as_list(record.get("cvss")) if isinstance(c, dict)]
        entries.sort(key=lambda c: str(c.get("version") or ""), reverse=True)
        for c in entries:
            score = to_float((c.get("metrics") or {}).get("baseScore"))
            if score:
                return score, c.get("vector") or None
        for key in ("cvssV3", "cvssV2"):  # grype < 0.10
            old = record.get(key)
            if isinstance(old, dict) and to_float(old.get("baseScore")):
                return to_float(old.get("baseScore")), old.get("vector") or None
    return None, None
