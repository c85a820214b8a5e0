"""Anchore vulnerability reports, three shapes in one importer (tool family "anchore"):

- Anchore Engine `image vuln <img> all` JSON: {imageDigest|image_digest, vulnerabilities[]}
  with snake_case keys (vuln, package_name, package_version, package_path, nvd_data …);
- anchorectl `image vulnerabilities` JSON: a top-level array with camelCase keys;
- Anchore Enterprise policy/security evaluation: {metadata{imageDigest, tag}, securityEvaluation[]}.

Asset: the image tag when the report names one (imageFullTag, metadata registry/repository:tag),
else the digest. One finding per (vulnerability, package@version, path).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_list,
    first_value,
    has_keys,
    iso_utc,
    need_json,
    rewind,
    rewindable,
    stated,
    top_scalars,
)
from cityguard.ingest.importers.grype import OS_PACKAGE_TYPES
from cityguard.ingest.util import head_text, iter_json
from cityguard.ingest.values import norm_severity, split_cves, to_float, upgrade_advice
from cityguard.model import Finding

_OS_TYPES = OS_PACKAGE_TYPES | {"dpkg", "rpm", "apkg"}


@register
class Anchore:
    name = "anchore"
    tool = "anchore"
    description = "Anchore Engine / anchorectl vulnerability JSON, Anchore securityEvaluation"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("{"):
            if has_keys(text, "securityEvaluation"):
                return 90
            engine = any_key(text, "imageDigest", "image_digest") and has_keys(
                text, "vulnerabilities"
            )
            return 85 if engine and any_key(text, "vuln", "vulnerability_type") else 0
        if (
            text.startswith("[")
            and has_keys(text, "vuln", "packageName")
            and any_key(text, "feedGroup", "packageVersion")
        ):
            return 85
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "Anchore")
        self.scanned: set[tuple[str, str]] = set()
        if first == "[":  # anchorectl: no image named in the report
            for v in iter_json(rewind(stream), source, "item"):
                yield self._engine(v, "unknown")
            return
        if first != "{":
            return
        meta = next(iter(iter_json(rewind(stream), source, "metadata")), None)
        if isinstance(meta, dict):  # securityEvaluation
            image = _tag(meta) or str(meta.get("imageDigest") or "unknown")
            self.scanned.add((self.tool, image))
            seen = iso_utc(meta.get("timestamp"))
            for v in iter_json(rewind(stream), source, "securityEvaluation.item"):
                yield self._evaluation(v, image, seen)
            return
        top = top_scalars(stream, source, "vulnerabilities")
        # Engine 2.x writes imageFullTag after the vulnerabilities: one more (C-speed) pass
        tag = top.get("imageFullTag") or first_value(stream, source, "imageFullTag")
        image = str(tag or top.get("imageDigest") or top.get("image_digest") or "unknown")
        self.scanned.add((self.tool, image))
        for v in iter_json(rewind(stream), source, "vulnerabilities.item"):
            yield self._engine(v, image)

    def _engine(self, v: dict[str, Any], image: str) -> Finding:
        """Engine (snake_case) and anchorectl (camelCase) items."""
        vid = str(v.get("vuln") or "")
        pkg = str(v.get("package_name") or v.get("packageName") or v.get("package") or "")
        version = str(v.get("package_version") or v.get("packageVersion") or "")
        path = stated(v.get("package_path") or v.get("packagePath"))
        ptype = str(v.get("package_type") or v.get("packageType") or "").lower()
        fix = stated(v.get("fix"))
        score, vector = _nvd(v.get("nvd_data") or v.get("nvdData"))
        return self._finding(
            image,
            vid,
            pkg,
            version,
            path,
            ptype,
            str(v.get("severity") or ""),
            score,
            vector,
            fix,
            [v.get("url")],
            None,
            None,
        )

    def _evaluation(self, v: dict[str, Any], image: str, seen: str | None) -> Finding:
        vid = str(v.get("vulnerabilityId") or "")
        package = str(v.get("package") or "")
        path = stated(v.get("path"))
        return self._finding(
            image,
            vid,
            package,
            "",
            path,
            str(v.get("packageType") or "").lower(),
            str(v.get("severity") or ""),
            to_float(v.get("nvdCvssBaseScore")),
            None,
            stated(v.get("fixAvailable")),
            [v.get("link")],
            iso_utc(v.get("detectedAt")),
            seen,
            cves=v.get("cves"),
        )

    def _finding(self, image: str, vid: str, pkg: str, version: str, path: str, ptype: str,
                 raw: str, score: float | None, vector: str | None, fix: str,
                 links: list[Any], first_seen: str | None, last_seen: str | None,
                 cves: object = None) -> Finding:  # fmt: skip
        self.scanned.add((self.tool, image))
        package = f"{pkg}@{version}" if version else pkg
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="image",
            asset_key=image,
            rule_id=vid,
            title=f"{vid} in {package.replace('@', ' ')}",
            severity=norm_severity(raw),
            severity_raw=raw,
            cvss_score=score,
            cvss_vector=vector,
            cves=split_cves([vid, cves]),
            solution=upgrade_advice(pkg, fix),
            location=f"{package} {path}".strip(),
            evidence=f"{package} ({ptype or '?'})" + (f" at {path}" if path else ""),
            references=tuple(str(u) for u in links if u and stated(u)),
            tags=("vuln",) if ptype in _OS_TYPES else ("vuln", "dependency"),
            first_seen=first_seen,
            last_seen=last_seen,
        )


def _tag(meta: dict[str, Any]) -> str:
    repo, tag = meta.get("repository"), meta.get("tag")
    if not repo:
        return ""
    registry = meta.get("registry")
    return f"{registry}/{repo}:{tag or 'latest'}" if registry else f"{repo}:{tag or 'latest'}"


def _nvd(data: object) -> tuple[float | None, str | None]:
    """CVSS v3 (else v2) base score of the first NVD record."""
    for rec in as_list(data):
        if not isinstance(rec, dict):
            continue
        for key in ("cvss_v3", "cvssV3", "cvss_v2", "cvssV2"):
            entry = rec.get(key)
            if isinstance(entry, dict):
                score = to_float(entry.get("base_score", entry.get("baseScore")))
                if score and score > 0:
                    return score, entry.get("vector_string") or entry.get("vectorString")
    return None, None
