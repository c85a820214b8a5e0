"""CycloneDX XML: 1.4+ `<vulnerabilities>` (VEX analysis included) and the older vulnerability
extension of 1.0–1.3 BOMs (`<v:vulnerability ref="purl">`, inside a component or at the top,
as grype and Dependency-Track wrote). The same findings as the JSON form (cyclonedx.py:
identity, severity and VEX states are described there); streamed one element at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import iso_utc
from cityguard.ingest.importers.cyclonedx import Vuln, product_asset, vuln_findings
from cityguard.ingest.util import child_text, children, first_of_each, local, xml_events, xml_root
from cityguard.ingest.values import to_float
from cityguard.model import Finding

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element


@register
class CyclonedxXml:
    name = "cyclonedx_xml"
    tool = "cyclonedx"
    description = "CycloneDX XML (1.4+ vulnerabilities, VEX; 1.0–1.3 vulnerability extension)"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) == "bom" and b"cyclonedx.org/schema/bom" in head:
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._findings(stream, source))

    def _findings(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        labels: dict[str, str] = {}
        asset, kind = product_asset("", "")
        in_metadata = False
        # the 1.0-1.3 extension nests a component's vulnerabilities inside it, before its end
        # (where its purl or name@version is known): they wait for it
        open_components: list[list[Vuln]] = []
        self.scanned = {(self.tool, asset)}
        events = xml_events(stream, source, start=("metadata", "bom", "component"),
                            end=("metadata", "component", "vulnerability"))  # fmt: skip
        for event, elem in events:
            name = local(elem.tag)
            ready: list[Vuln] = []
            if event == "start":
                if name == "bom" and "cyclonedx.org" not in elem.tag:
                    raise DataError(source, "not a CycloneDX BOM (no CycloneDX namespace)")
                in_metadata = in_metadata or name == "metadata"
                if name == "component" and not in_metadata:
                    open_components.append([])
                continue
            if name == "metadata":
                in_metadata = False
            elif name == "component" and in_metadata:
                asset, kind = product_asset(child_text(elem, "name"), elem.get("type"))
                self.scanned = {(self.tool, asset)}
            elif name == "component":
                label = child_text(elem, "purl") or "@".join(
                    x for x in (child_text(elem, "name"), child_text(elem, "version")) if x
                )  # fmt: skip
                for ref in (elem.get("bom-ref"), child_text(elem, "purl")):
                    if ref and label:
                        labels[ref] = label
                ready = open_components.pop() if open_components else []
                if label:  # nested: this component is the one affected, whatever `ref` says
                    for vuln in ready:  # (grype 0.x writes a fresh uuid there on every run)
                        vuln.refs = [label]
            elif name == "vulnerability":
                vuln = _vuln(elem)
                if not vuln.id:
                    raise DataError(source, "a CycloneDX vulnerability without id")
                (open_components[-1] if open_components else ready).append(vuln)
            for vuln in ready:
                yield from vuln_findings(self, vuln, labels, asset, kind)


def _vuln(v: Element) -> Vuln:
    ratings = []
    for r in children(v, "ratings", "rating"):
        score = child_text(r, "score")
        base = next((child_text(s, "base") for s in children(r, "score")), "")
        ratings.append((child_text(r, "severity"), to_float(base or score),
                        child_text(r, "method"), child_text(r, "vector")))  # fmt: skip
    refs = [(t.text or "").strip() for t in children(v, "affects", "target", "ref")]
    if v.get("ref"):  # the 1.0–1.3 extension names the component on the element
        refs.append(v.get("ref", "").strip())
    analysis = next(iter(children(v, "analysis")), None)
    urls = [child_text(s, "url") for s in children(v, "source")]
    for a in children(v, "advisories", "advisory"):
        urls.append(child_text(a, "url") or (a.text or "").strip())
    recommendation = child_text(v, "recommendation") or "\n".join(
        (r.text or "").strip() for r in children(v, "recommendations", "recommendation")
    )  # fmt: skip
    return Vuln(
        id=child_text(v, "id"),
        refs=[r for r in refs if r],
        ratings=ratings,
        cwes=[(c.text or "").strip() for c in children(v, "cwes", "cwe")],
        description=child_text(v, "description") or child_text(v, "detail"),
        recommendation=recommendation,
        urls=urls,
        aliases=[child_text(r, "id") for r in children(v, "references", "reference")],
        state=child_text(analysis, "state") if analysis is not None else "",
        justification=" ".join(
            x for x in (child_text(analysis, "justification"), child_text(analysis, "detail")) if x
        )
        if analysis is not None
        else "",  # fmt: skip
        published=iso_utc(child_text(v, "published")),
    )
