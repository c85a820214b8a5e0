"""OWASP Dependency-Check XML report (`<analysis>`, schemas 1.3 … 2.5, matched by local name).

One finding per vulnerability of a dependency. Identity: the package (purl from
`identifiers/package/id`; a maven GAV or the file name when there is none), the file path it
was found at, the vulnerability name (CVE, GHSA, OSS Index id). Severity prefers CVSS v3/v4
baseSeverity, then the source's own word ("moderate" → medium), then CVSS v2.
`suppressedVulnerabilities` are skipped: they are the project's own accepted risks, and an
import must not reopen them (record them with `cityguard findings accept` when needed).

Also home of `dc_finding`, shared with the JSON importer (both work on the JSON shape).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import clean, merge_same
from cityguard.ingest.util import child_text, children, first_of_each, local, xml_events, xml_root
from cityguard.ingest.values import (
    severity_or_cvss,
    split_cves,
    split_cwes,
    to_float,
)
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# CVSS v3 metric names as Dependency-Check spells them → vector abbreviations
_V3 = (("attackVector", "AV"), ("attackComplexity", "AC"), ("privilegesRequired", "PR"),
       ("userInteraction", "UI"), ("scope", "S"), ("confidentialityImpact", "C"),
       ("integrityImpact", "I"), ("availabilityImpact", "A"))  # fmt: skip


def _v3_vector(cvss: Mapping[str, Any]) -> str | None:
    if cvss.get("vectorString"):
        return str(cvss["vectorString"])
    parts = [f"{abbr}:{str(cvss[name])[0].upper()}" for name, abbr in _V3 if cvss.get(name)]
    if len(parts) != len(_V3):
        return None
    version = str(cvss.get("version") or "3.1")
    return f"CVSS:{version}/" + "/".join(parts)


def dc_severity(vuln: Mapping[str, Any]) -> tuple[Severity, str, float | None, str | None]:
    """(severity, raw, score, vector) from a vulnerability in the JSON shape."""
    v4 = vuln.get("cvssv4") or {}
    v3 = vuln.get("cvssv3") or {}
    v2 = vuln.get("cvssv2") or {}
    for cvss, sev_key, score_key in ((v3, "baseSeverity", "baseScore"),
                                     (v4, "baseSeverity", "baseScore")):  # fmt: skip
        if cvss.get(sev_key) or cvss.get(score_key) is not None:
            score = to_float(cvss.get(score_key))
            raw = str(cvss.get(sev_key) or "")
            sev = severity_or_cvss(raw, score)
            return sev, raw or str(score), score, _v3_vector(cvss) if cvss is v3 else None
    raw = str(vuln.get("severity") or v2.get("severity") or "")
    score = to_float(v2.get("score") if v2 else vuln.get("cvssScore"))
    sev = severity_or_cvss(raw, score)
    return sev, raw, score, None


def package_id(dep: Mapping[str, Any]) -> str:
    """purl, else a maven/npm/… identifier, else a CPE, else the file name."""
    for pkg in dep.get("packages") or []:
        if isinstance(pkg, Mapping) and pkg.get("id"):
            return str(pkg["id"])
    idents = [i for i in dep.get("identifiers") or [] if isinstance(i, Mapping) and i.get("name")]
    for ident in sorted(idents, key=lambda i: i.get("type") == "cpe"):  # CPEs are guesses: last
        kind, name = str(ident.get("type") or "id"), str(ident["name"])
        return name if name.startswith(f"{kind}:") else f"{kind}:{name}"
    return str(dep.get("fileName") or dep.get("filePath") or "")


def dc_finding(dep: Mapping[str, Any], vuln: Mapping[str, Any], fmt: str) -> Finding | None:
    name = str(vuln.get("name") or "").strip()
    pkg = package_id(dep)
    if not name or not pkg:
        return None
    path = str(dep.get("filePath") or dep.get("fileName") or "")
    severity, raw, score, vector = dc_severity(vuln)
    cwes = vuln.get("cwes") or ([vuln["cwe"]] if vuln.get("cwe") else [])
    refs = [str(r.get("url")) for r in vuln.get("references") or []
            if isinstance(r, Mapping) and r.get("url")]  # fmt: skip
    related = [str(r.get("filePath") or r.get("fileName") or "")
               for r in dep.get("relatedDependencies") or [] if isinstance(r, Mapping)]  # fmt: skip
    evidence = f"{dep.get('fileName') or pkg} at {path}"
    if related:
        evidence += "\nalso at: " + ", ".join(r for r in related if r)
    return Finding(
        tool="dependency_check", format=fmt, asset_kind="package", asset_key=pkg,
        rule_id=name, title=f"{name} in {dep.get('fileName') or pkg}", severity=severity,
        severity_raw=raw, cvss_score=score, cvss_vector=vector, cves=split_cves(name),
        cwes=split_cwes([str(c).split()[0].rstrip(":,;") for c in cwes if str(c).strip()]),
        description=clean(str(vuln.get("description") or "")), location=path,
        evidence=evidence, references=tuple(dict.fromkeys(refs)), tags=("dependency", "vuln"),
        extra={k: v for k, v in (("source", vuln.get("source")), ("sha256", dep.get("sha256")),
                                 ("file", dep.get("fileName"))) if v},
    )  # fmt: skip


def dependency_findings(dep: Mapping[str, Any], fmt: str) -> list[Finding]:
    """Findings of one dependency; one vulnerability reported by two sources is one finding."""
    found = [dc_finding(dep, v, fmt) for v in dep.get("vulnerabilities") or []
             if isinstance(v, Mapping)]  # fmt: skip
    return merge_same(f for f in found if f is not None)


@register
class DependencyCheckImporter:
    name: ClassVar[str] = "dependency_check"
    tool: ClassVar[str] = "dependency_check"
    description: ClassVar[str] = "OWASP Dependency-Check XML report"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) != "analysis":
            return 0
        return 95 if b"dependency-check" in head.lower() else 40

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._deps(stream, source))

    def _deps(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        # evidenceCollected is most of a report's bytes and is never used: freed as it ends
        depth = 0  # relatedDependency elements are also named like dependency children
        for event, elem in xml_events(stream, source, start=("dependency",),
                                      end=("evidenceCollected", "dependency")):  # fmt: skip
            if event == "start":
                depth += 1
            elif local(elem.tag) == "dependency":
                depth -= 1
                if depth == 0:
                    yield from dependency_findings(_dependency(elem), self.name)


def _scalars(elem: Element) -> dict[str, str]:
    return {local(c.tag): (c.text or "").strip() for c in elem if len(c) == 0}


def _dependency(dep: Element) -> dict[str, Any]:
    """An XML <dependency> in the JSON report's shape."""
    out: dict[str, Any] = _scalars(dep)
    for idents in children(dep, "identifiers"):
        out["packages"] = [{"id": child_text(p, "id")} for p in children(idents, "package")]
        out["identifiers"] = [{"type": i.get("type", ""), "name": child_text(i, "name")}
                              for i in children(idents, "identifier")]  # fmt: skip
    for related in children(dep, "relatedDependencies"):
        out["relatedDependencies"] = [_scalars(r) for r in related]
    vulns = []
    for block in children(dep, "vulnerabilities"):
        for v in children(block, "vulnerability"):
            vuln: dict[str, Any] = {**_scalars(v), "source": v.get("source", "")}
            for cvss, key in (("cvssV2", "cvssv2"), ("cvssV3", "cvssv3"), ("cvssV4", "cvssv4")):
                for c in children(v, cvss):
                    vuln[key] = _scalars(c)
            vuln["cwes"] = [(c.text or "") for cw in children(v, "cwes") for c in cw] or (
                [vuln["cwe"]] if vuln.get("cwe") else []
            )
            vuln["references"] = [_scalars(r) for refs in children(v, "references") for r in refs]
            vulns.append(vuln)
    out["vulnerabilities"] = vulns
    return out


__all__ = ["DependencyCheckImporter", "dc_finding", "dc_severity", "dependency_findings"]
