"""Trivy JSON: legacy (< 0.20) array, SchemaVersion 2 reports, and `trivy k8s` cluster reports.

Streams one Result (one k8s resource) at a time. What becomes a finding:
- Vulnerabilities: one per (package, version, path, vulnerability id). OS packages are located
  by `name@version`, language packages by `name@version path` (the same library can sit in
  several jars/lockfiles). The Target string is NOT part of the identity: it carries the OS
  release ("(alpine 3.9.4)"), which would turn a base-image bump into "everything fixed, all new".
- Misconfigurations with Status FAIL (PASS/EXCEPTION are checks that held): rule id AVDID
  (stable across versions), location `target:StartLine-EndLine resource`.
- Secrets (Trivy already masks the match; we redact again anyway).
- License results are not security findings and are skipped.
Severity UNKNOWN becomes info, flagged in `extra`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_list,
    has_keys,
    iso_utc,
    need_json,
    peek,
    rewind,
    rewindable,
    top_scalars,
)
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    file_location,
    norm_path,
    norm_severity,
    redact,
    split_cves,
    split_cwes,
    unique_refs,
    upgrade_advice,
)
from cityguard.model import Finding, Severity

# Result.Type values of OS package managers in legacy reports (which have no Class)
_OS_TYPES = {
    "alpine", "alma", "amazon", "bottlerocket", "cbl-mariner", "centos", "chainguard", "debian",
    "distroless", "fedora", "opensuse", "opensuse.leap", "opensuse.tumbleweed", "oracle",
    "photon", "redhat", "rocky", "sles", "suse linux enterprise server", "ubuntu", "wolfi",
    "azurelinux", "echo", "minimos",
}  # fmt: skip
_ASSET_KIND = {"container_image": "image", "vm": "host", "rootfs": "host"}


@register
class Trivy:
    name = "trivy"
    tool = "trivy"
    version_pattern = rb'"Trivy"\s*:\s*\{\s*"Version"\s*:\s*"([^"]+)"'
    description = "Trivy JSON: legacy array, SchemaVersion 2 (vulns, misconfigs, secrets), k8s"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("{"):
            if has_keys(text, "SchemaVersion") and any_key(text, "Results", "ArtifactName"):
                return 95
            if has_keys(text, "ClusterName") and any_key(
                text, "Vulnerabilities", "Misconfigurations", "Resources"
            ):
                return 90
            return 0
        if (
            text.startswith("[")
            and has_keys(text, "Target")
            and any_key(text, "Vulnerabilities", "Type")
        ):
            return 80
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "Trivy")
        if first == "[":  # legacy: [{Target, Type, Vulnerabilities}]
            for result in iter_json(rewind(stream), source, "item"):
                yield from self._result(result, None, None, None)
            return
        if first != "{":  # `null`: a legacy report with nothing found
            return
        if has_keys(peek(stream), "ClusterName"):
            yield from self._cluster(stream, source)
            return
        top = top_scalars(stream, source, "Results")
        artifact = str(top.get("ArtifactName") or "") or None
        kind = _ASSET_KIND.get(str(top.get("ArtifactType") or ""), "repository")
        seen = iso_utc(top.get("CreatedAt"))
        for result in iter_json(rewind(stream), source, "Results.item"):
            yield from self._result(result, (kind, artifact) if artifact else None, seen, None)

    def _cluster(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        """`trivy k8s`: findings per workload; the asset is cluster/namespace/kind/name."""
        top = top_scalars(stream, source, "Vulnerabilities")
        cluster = str(top.get("ClusterName") or "cluster")
        # a resource may appear in both sections: same fingerprints, yielded once
        yield from first_of_each(self._resources(stream, source, cluster))

    def _resources(self, stream: BinaryIO, source: str, cluster: str) -> Iterator[Finding]:
        for section in ("Vulnerabilities", "Misconfigurations", "Resources"):
            for res in iter_json(rewind(stream), source, f"{section}.item"):
                parts = [res.get("Namespace") or "", res.get("Kind") or "", res.get("Name") or ""]
                asset = ("cloud", "/".join([cluster, *[p for p in parts if p]]))
                for result in as_list(res.get("Results")):
                    yield from self._result(result, asset, None, res.get("Kind"))

    def _result(
        self,
        result: dict[str, Any],
        asset: tuple[str, str] | None,
        seen: str | None,
        k8s_kind: str | None,
    ) -> Iterator[Finding]:
        target = str(result.get("Target") or "")
        cls = str(result.get("Class") or "")
        typ = str(result.get("Type") or "")
        os_pkgs = cls == "os-pkgs" or (not cls and typ.lower() in _OS_TYPES)
        if asset is None:  # legacy: the report names no artifact; the target is the best key
            asset = ("image" if os_pkgs else "repository", target)
        # Trivy repeats a vuln per matching data source
        yield from first_of_each(self._vuln(vuln, asset, target, os_pkgs, seen)
                                 for vuln in as_list(result.get("Vulnerabilities")))
        for mis in as_list(result.get("Misconfigurations")):
            if str(mis.get("Status") or "FAIL").upper() == "FAIL":
                yield self._misconfig(mis, asset, target, seen)
        for sec in as_list(result.get("Secrets")):
            yield self._secret(sec, asset, target, seen)

    def _vuln(
        self,
        v: dict[str, Any],
        asset: tuple[str, str],
        target: str,
        os_pkgs: bool,
        seen: str | None,
    ) -> Finding:
        vid = str(v.get("VulnerabilityID") or "")
        pkg = str(v.get("PkgName") or "")
        version = str(v.get("InstalledVersion") or "")
        path = str(v.get("PkgPath") or "")
        location = f"{pkg}@{version}"
        if not os_pkgs:
            location += f" {path or target}"
        raw = str(v.get("Severity") or "UNKNOWN")
        score, vector = _cvss(v)
        fixed = str(v.get("FixedVersion") or "")
        title = str(v.get("Title") or "").strip() or vid
        purl = (v.get("PkgIdentifier") or {}).get("PURL")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind=asset[0],
            asset_key=asset[1],
            rule_id=vid,
            title=f"{vid} {pkg} {version}" + (f": {title}" if title != vid else ""),
            severity=norm_severity(raw),
            severity_raw=raw,
            cvss_score=score,
            cvss_vector=vector,
            cves=split_cves([vid, *as_list(v.get("VendorIDs"))]),
            cwes=split_cwes(v.get("CweIDs")),
            description=str(v.get("Description") or ""),
            solution=upgrade_advice(pkg, fixed),
            location=location,
            evidence=f"{target}: {pkg} {version} installed" + (f" at {path}" if path else ""),
            references=unique_refs([v.get("PrimaryURL"), *as_list(v.get("References"))]),
            tags=("vuln",) if os_pkgs else ("vuln", "dependency"),
            last_seen=seen,
            extra={k: val for k, val in (
                ("fixed_version", fixed), ("status", v.get("Status")), ("purl", purl),
                ("severity_unknown", raw.upper() == "UNKNOWN" or None),
            ) if val},
        )  # fmt: skip

    def _misconfig(
        self, m: dict[str, Any], asset: tuple[str, str], target: str, seen: str | None
    ) -> Finding:
        cause = m.get("CauseMetadata") or {}
        resource = str(cause.get("Resource") or "")
        line, end = cause.get("StartLine"), cause.get("EndLine")
        lines = (f":{line}" + (f"-{end}" if end and end != line else "")) if line else ""
        raw = str(m.get("Severity") or "UNKNOWN")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind=asset[0],
            asset_key=asset[1],
            # AVDID is stable across Trivy versions (IDs were renamed, e.g. DS002 / DS-0002)
            rule_id=str(m.get("AVDID") or m.get("ID") or ""),
            title=str(m.get("Title") or m.get("ID") or ""),
            severity=norm_severity(raw),
            severity_raw=raw,
            description=str(m.get("Description") or ""),
            solution=str(m.get("Resolution") or ""),
            # the lines are part of the identity: one check failing on two blocks of one
            # resource (two ingress rules) is two findings
            location=f"{norm_path(target)}{lines} {resource}".strip(),
            evidence=str(m.get("Message") or "") + (f" (line {line})" if line else ""),
            references=tuple(str(r) for r in as_list(m.get("References")) if r),
            tags=("config",),
            last_seen=seen,
            extra={"line": line, "id": m.get("ID")} if line else {"id": m.get("ID")},
        )

    def _secret(
        self, s: dict[str, Any], asset: tuple[str, str], target: str, seen: str | None
    ) -> Finding:
        raw = str(s.get("Severity") or "HIGH")
        line = s.get("StartLine")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind=asset[0],
            asset_key=asset[1],
            rule_id=str(s.get("RuleID") or ""),
            title=str(s.get("Title") or s.get("RuleID") or "secret"),
            severity=norm_severity(raw) if raw.upper() != "UNKNOWN" else Severity.HIGH,
            severity_raw=raw,
            description=f"{s.get('Category') or 'A'} secret committed in {target}",
            solution="Revoke and rotate the secret, then remove it from the file and history.",
            location=file_location(target, line),
            evidence=redact(str(s.get("Match") or "")),
            tags=("secret",),
            last_seen=seen,
        )


def _cvss(v: dict[str, Any]) -> tuple[float | None, str | None]:
    """Score and vector from the severity source first, then NVD, then any other source."""
    sources = v.get("CVSS") or {}
    order = [v.get("SeveritySource"), "nvd", *sources]
    for name in order:
        entry = sources.get(name) if name else None
        if not isinstance(entry, dict):
            continue
        for score_key, vector_key in (("V3Score", "V3Vector"), ("V40Score", "V40Vector"),
                                      ("V2Score", "V2Vector")):  # fmt: skip
            score = entry.get(score_key)
            if isinstance(score, (int, float)) and score > 0:
                return float(score), entry.get(vector_key) or None
    return None, None
