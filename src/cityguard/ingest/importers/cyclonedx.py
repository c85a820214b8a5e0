"""CycloneDX JSON (1.4+ SBOM with `vulnerabilities`, and VEX documents): the vulnerabilities
of the described product's components. The XML form is cyclonedx_xml (same findings).

One finding per vulnerability and affected component (`affects[].ref`): identity tool
`cyclonedx`, asset = the product the BOM describes (`metadata.component` name, no version, so
a new release keeps the identities; "." when the BOM names none), rule = the vulnerability id
(CVE, GHSA, SNYK-…), location = the component's purl (else name@version, else the ref).
Severity: the worst `ratings[].severity` (critical/high/medium/low; none/info/unknown → info),
else the best CVSS score by its bands; a vulnerability without any rating is **medium by
policy** (severity_raw says so).
VEX `analysis.state`: not_affected and false_positive → false_positive (the justification
kept), resolved and resolved_with_pedigree → not a finding, exploitable / in_triage / none →
open. A BOM without any vulnerability gives no finding (an SBOM is an inventory, not a scan).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import as_dict, as_list, has_keys, iso_utc
from cityguard.ingest.util import decode_json, first_of_each, head_text
from cityguard.ingest.values import (
    norm_severity,
    split_cves,
    split_cwes,
    suppressed_by,
    to_float,
    unique_refs,
)
from cityguard.model import Finding, Severity, severity_from_cvss

_POLICY = "no rating given, medium by policy"
_STATES = {"not_affected": "false_positive", "false_positive": "false_positive"}
_RESOLVED = frozenset({"resolved", "resolved_with_pedigree"})


@dataclass
class Vuln:
    """One vulnerability, read from JSON or XML alike."""

    id: str
    refs: list[str]
    ratings: list[tuple[str, float | None, str, str]] = field(default_factory=list)
    cwes: list[str] = field(default_factory=list)
    description: str = ""
    recommendation: str = ""
    urls: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # references[].id (CVE of a SNYK id …)
    state: str = ""
    justification: str = ""
    published: str | None = None


@register
class Cyclonedx:
    name = "cyclonedx"
    tool = "cyclonedx"
    description = "CycloneDX JSON 1.4+ (SBOM vulnerabilities, VEX)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("{") and '"CycloneDX"' in text and has_keys(text, "bomFormat"):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        bom = decode_json(stream, source)
        if not isinstance(bom, dict) or str(bom.get("bomFormat")) != "CycloneDX":
            raise DataError(source, "not a CycloneDX document (no bomFormat CycloneDX)")
        metadata = as_dict(bom.get("metadata"))
        product = as_dict(metadata.get("component"))
        labels = dict(_json_components(as_list(bom.get("components"))))
        asset, kind = product_asset(product.get("name"), product.get("type"))
        self.scanned = {(self.tool, asset)}
        yield from first_of_each(self._vulns(bom, labels, asset, kind, source))

    def _vulns(self, bom: dict[str, Any], labels: dict[str, str], asset: str, kind: str,
               source: str) -> Iterator[Finding]:
        for v in as_list(bom.get("vulnerabilities")):
            if not isinstance(v, dict) or not v.get("id"):
                raise DataError(source, "a CycloneDX vulnerability without id")
            yield from vuln_findings(self, _json_vuln(v), labels, asset, kind)


def product_asset(name: object, kind: object) -> tuple[str, str]:
    """(asset key, asset kind) of the BOM's subject: a container is an image."""
    key = str(name or "").strip() or "."
    return key, "image" if str(kind or "") == "container" else "repository"


def vuln_findings(importer: Any, v: Vuln, labels: dict[str, str], asset: str,
                  kind: str) -> Iterator[Finding]:  # fmt: skip
    """One finding per component the vulnerability affects (none when VEX says resolved)."""
    if v.state in _RESOLVED:
        return
    for ref in v.refs or [""]:
        yield _finding(importer, v, labels.get(ref) or ref or "(component not named)", asset,
                       kind)  # fmt: skip


def _finding(importer: Any, v: Vuln, component: str, asset: str, kind: str) -> Finding:
    words = [r[0].lower() for r in v.ratings if r[0]]
    scores = [r[1] for r in v.ratings if r[1] is not None]
    severity = max((norm_severity(w) for w in words), key=lambda s: s.rank, default=None)
    if severity is None and scores:
        severity = severity_from_cvss(max(scores))
    best = max(v.ratings, key=lambda r: r[1] or 0.0, default=("", None, "", ""))
    status = _STATES.get(v.state, "open")
    extra: dict[str, Any] = {"published": v.published, "analysis_state": v.state or None}
    if status != "open":
        extra["suppression"] = suppressed_by("vex", v.justification or v.state, status)
    return Finding(
        tool=importer.tool,
        format=importer.name,
        asset_kind=kind,
        asset_key=asset,
        rule_id=v.id,
        title=f"{v.id} in {component}",
        severity=severity if severity is not None else Severity.MEDIUM,
        severity_raw=", ".join(words) or (f"cvss {max(scores)}" if scores else _POLICY),
        cvss_score=best[1],
        cvss_vector=best[3] or None,
        cves=split_cves([v.id, *v.aliases]),
        cwes=split_cwes(v.cwes),
        description=v.description,
        solution=v.recommendation,
        location=component,
        evidence=component,
        references=unique_refs(v.urls),
        tags=("vuln", "dependency"),
        status=status,
        extra={k: x for k, x in extra.items() if x},
    )


def _json_components(items: list[Any]) -> Iterator[tuple[str, str]]:
    """bom-ref → purl (else name@version) for every component, nested ones too."""
    for c in items:
        if not isinstance(c, dict):
            continue
        label = str(c.get("purl") or "") or "@".join(
            str(x) for x in (c.get("name"), c.get("version")) if x
        )  # fmt: skip
        for ref in (c.get("bom-ref"), c.get("purl")):
            if ref and label:
                yield str(ref), label
        yield from _json_components(as_list(c.get("components")))


def _json_vuln(v: dict[str, Any]) -> Vuln:
    analysis = as_dict(v.get("analysis"))
    source = as_dict(v.get("source"))
    ratings = [(str(r.get("severity") or ""), to_float(r.get("score")), str(r.get("method") or ""),
                str(r.get("vector") or "")) for r in as_list(v.get("ratings"))
               if isinstance(r, dict)]  # fmt: skip
    refs = [str(a.get("ref")) for a in as_list(v.get("affects")) if isinstance(a, dict)
            and a.get("ref")]  # fmt: skip
    aliases = [str(r.get("id")) for r in as_list(v.get("references")) if isinstance(r, dict)]
    urls = [str(source.get("url") or "")] + [
        str(a.get("url") or "") for a in as_list(v.get("advisories")) if isinstance(a, dict)
    ]  # fmt: skip
    return Vuln(
        id=str(v["id"]),
        refs=refs,
        ratings=ratings,
        cwes=[str(c) for c in as_list(v.get("cwes"))],
        description=str(v.get("description") or v.get("detail") or ""),
        recommendation=str(v.get("recommendation") or ""),
        urls=urls,
        aliases=aliases,
        state=str(analysis.get("state") or ""),
        justification=" ".join(
            str(x) for x in (analysis.get("justification"), analysis.get("detail")) if x
        ),  # fmt: skip
        published=iso_utc(v.get("published")),
    )
