"""Acunetix (AWVS) XML export (`<ScanGroup><Scan>…<ReportItems><ReportItem>`), the report
AWVS 10–13 and Acunetix 360's "XML" template write.

One finding per ReportItem. Identity: the scan's start URL (asset), the alert name (rule),
`Affects` path and `Parameter` (location), and a hash of the `Details` text with its digits
left out: Acunetix reports "Cookie without HttpOnly flag" once per cookie and "HTML form
without CSRF protection" once per form, all on one path, told apart only by the details;
digits (dates in Set-Cookie lines, timings) change from scan to scan and would make every
rescan look new. Severity: high / medium / low as they are, informational → info (critical,
which Acunetix 360 writes, as it is). `IsFalsePositive: True` is kept as a false positive.
Crawled site files are freed as they stream by.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import TLS_WORDS, clean, html_text, local_iso
from cityguard.ingest.util import child_text, first_of_each, head_text, xml_events, xml_root
from cityguard.ingest.values import norm_severity, redact, split_cves, split_cwes
from cityguard.model import Finding, fingerprint

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_TIME_FORMATS = ("%d/%m/%Y, %H:%M:%S", "%d/%m/%Y %H:%M:%S")
_DIGITS = re.compile(r"\d+")


@register
class Acunetix:
    name: ClassVar[str] = "acunetix"
    tool: ClassVar[str] = "acunetix"
    description: ClassVar[str] = "Acunetix (AWVS) XML export (ScanGroup / ReportItem)"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) != "ScanGroup":
            return 0
        text = head_text(head)
        return 95 if "<Scan>" in text and ("<StartURL>" in text or "<ReportItems" in text) else 60

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._items(stream, source))

    def _items(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        scan: dict[str, str] = {}
        ends = ("StartURL", "StartTime", "FinishTime", "SiteFile", "ReportItem")
        for _event, elem in xml_events(stream, source, start=("Scan",), end=ends):
            tag = elem.tag
            if _event == "start":
                scan = {}  # a ScanGroup may hold several scans
            elif tag == "ReportItem":
                yield self._item(elem, scan)
            elif tag != "SiteFile":
                scan[tag] = clean(elem.text)

    def _item(self, item: Element, scan: dict[str, str]) -> Finding:
        def text(name: str) -> str:
            return child_text(item, name)

        asset = scan.get("StartURL", "").rstrip("/") or "unknown"
        name = clean(text("Name"))
        affects = text("Affects") or "/"
        parameter = "" if text("Parameter") == "<empty>" else text("Parameter")  # AWVS: none
        location = f"{affects} [{parameter}]" if parameter else affects
        details = html_text(text("Details"))
        digest = hashlib.sha256(_DIGITS.sub("", details).encode()).hexdigest()[:16]
        raw = text("Severity")
        cwes = [c.get("id") or c.text for c in item.iter("CWE")]
        refs = [clean(u.text) for u in item.iter("URL") if u.text]
        tags = ["web", *(["tls"] if TLS_WORDS.search(name) else [])]
        cves = split_cves(" ".join((name, text("Description"), details)))
        if cves:
            tags.append("vuln")
        start = local_iso(scan.get("StartTime"), *_TIME_FORMATS)
        false_positive = text("IsFalsePositive").lower() == "true"
        finding = Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="url",
            asset_key=asset,
            rule_id=name,
            title=name,
            severity=norm_severity(raw),
            severity_raw=raw,
            cves=cves,
            cwes=split_cwes(cwes),
            description="\n\n".join(x for x in (html_text(text("Description")),
                                                html_text(text("Impact"))) if x),  # fmt: skip
            solution=html_text(text("Recommendation")),
            location=location,
            evidence=redact("\n".join(x for x in (details, html_text(text(
                "DetailedInformation"))[:2000]) if x)),  # fmt: skip
            references=tuple(dict.fromkeys(u for u in refs if u.startswith("http"))),
            tags=tuple(tags),
            first_seen=start,
            last_seen=local_iso(scan.get("FinishTime"), *_TIME_FORMATS) or start,
            status="false_positive" if false_positive else "open",
            extra={k: v for k, v in (("type", text("Type")), ("module", text("ModuleName")),
                                     ("parameter", parameter)) if v},  # fmt: skip
        )
        finding._fingerprint = fingerprint(self.tool, asset, name, f"{location}#{digest}")
        return finding
